"""partner agencies and sharing

Revision ID: a7bd583d7684
Revises: 7a3c9e1f2b64
Create Date: 2026-12-04 10:23:29.051745

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7bd583d7684'
down_revision = '7a3c9e1f2b64'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('agency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency')),
    sa.UniqueConstraint('name', name=op.f('uq_agency_name'))
    )
    op.create_table('partner_account',
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_partner_account_agency_id_agency')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_partner_account_employee_id_employee')),
    sa.PrimaryKeyConstraint('employee_id', name=op.f('pk_partner_account'))
    )
    with op.batch_alter_table('partner_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_account_agency_id'), ['agency_id'], unique=False)

    op.create_table('case_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=True),
    sa.Column('legal_basis', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_case_share_agency_id_agency')),
    sa.ForeignKeyConstraint(['case_id'], ['support_case.id'], name=op.f('fk_case_share_case_id_support_case')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['employee.id'], name=op.f('fk_case_share_updated_by_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_share')),
    sa.UniqueConstraint('case_id', 'agency_id', name='uq_case_share_case_agency')
    )
    with op.batch_alter_table('case_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_share_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_share_case_id'), ['case_id'], unique=False)

    op.create_table('shared_entry',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('legal_basis', sa.String(length=32), nullable=False),
    sa.Column('shared_at', sa.DateTime(), nullable=False),
    sa.Column('shared_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_shared_entry_agency_id_agency')),
    sa.ForeignKeyConstraint(['entry_id'], ['case_entry.id'], name=op.f('fk_shared_entry_entry_id_case_entry')),
    sa.ForeignKeyConstraint(['shared_by_id'], ['employee.id'], name=op.f('fk_shared_entry_shared_by_id_employee')),
    sa.PrimaryKeyConstraint('entry_id', 'agency_id', name=op.f('pk_shared_entry'))
    )
    with op.batch_alter_table('shared_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_entry_agency_id'), ['agency_id'], unique=False)

    with op.batch_alter_table('case_agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('support_meeting_member', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_case_agency_agency_id'), ['agency_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_case_agency_agency_id_agency'), 'agency', ['agency_id'], ['id'])

    with op.batch_alter_table('case_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_entry_agency_id'), ['agency_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_case_entry_agency_id_agency'), 'agency', ['agency_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_case_entry_acknowledged_by_id_employee'), 'employee', ['acknowledged_by_id'], ['id'])




def downgrade():
    
    with op.batch_alter_table('case_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_entry_acknowledged_by_id_employee'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_case_entry_agency_id_agency'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_case_entry_agency_id'))
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('agency_id')

    with op.batch_alter_table('case_agency', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_agency_agency_id_agency'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_case_agency_agency_id'))
        batch_op.drop_column('support_meeting_member')
        batch_op.drop_column('agency_id')

    with op.batch_alter_table('shared_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shared_entry_agency_id'))

    op.drop_table('shared_entry')
    with op.batch_alter_table('case_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_share_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_share_agency_id'))

    op.drop_table('case_share')
    with op.batch_alter_table('partner_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_account_agency_id'))

    op.drop_table('partner_account')
    op.drop_table('agency')

