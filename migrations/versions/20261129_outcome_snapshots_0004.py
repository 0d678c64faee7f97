"""Outcome snapshots: a company's Local Benchmark (ローカルベンチマーク) inputs per
fiscal year, from which the six outcome indicators are computed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 05:10:28.288113

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outcome_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('sales', sa.BigInteger(), nullable=True),
    sa.Column('previous_sales', sa.BigInteger(), nullable=True),
    sa.Column('operating_profit', sa.BigInteger(), nullable=True),
    sa.Column('depreciation', sa.BigInteger(), nullable=True),
    sa.Column('interest_bearing_debt', sa.BigInteger(), nullable=True),
    sa.Column('cash_and_deposits', sa.BigInteger(), nullable=True),
    sa.Column('receivables', sa.BigInteger(), nullable=True),
    sa.Column('inventory', sa.BigInteger(), nullable=True),
    sa.Column('payables', sa.BigInteger(), nullable=True),
    sa.Column('net_assets', sa.BigInteger(), nullable=True),
    sa.Column('total_assets', sa.BigInteger(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('capital_investment', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('capital_investment >= 0', name=op.f('ck_outcome_snapshots_capital_investment_non_negative')),
    sa.CheckConstraint('cash_and_deposits >= 0', name=op.f('ck_outcome_snapshots_cash_and_deposits_non_negative')),
    sa.CheckConstraint('depreciation >= 0', name=op.f('ck_outcome_snapshots_depreciation_non_negative')),
    sa.CheckConstraint('employees >= 0', name=op.f('ck_outcome_snapshots_employees_non_negative')),
    sa.CheckConstraint('interest_bearing_debt >= 0', name=op.f('ck_outcome_snapshots_interest_bearing_debt_non_negative')),
    sa.CheckConstraint('inventory >= 0', name=op.f('ck_outcome_snapshots_inventory_non_negative')),
    sa.CheckConstraint('payables >= 0', name=op.f('ck_outcome_snapshots_payables_non_negative')),
    sa.CheckConstraint('previous_sales >= 0', name=op.f('ck_outcome_snapshots_previous_sales_non_negative')),
    sa.CheckConstraint('receivables >= 0', name=op.f('ck_outcome_snapshots_receivables_non_negative')),
    sa.CheckConstraint('sales >= 0', name=op.f('ck_outcome_snapshots_sales_non_negative')),
    sa.CheckConstraint('total_assets >= 0', name=op.f('ck_outcome_snapshots_total_assets_non_negative')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_outcome_snapshots_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_outcome_snapshots_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_snapshots')),
    sa.UniqueConstraint('company_id', 'fiscal_year', name='uq_outcome_snapshots_company_id_fiscal_year')
    )


def downgrade():
    op.drop_table('outcome_snapshots')
