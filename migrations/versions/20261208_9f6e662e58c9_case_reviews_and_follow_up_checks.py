"""case reviews and follow-up checks

Revision ID: 9f6e662e58c9
Revises: d52e8f1a3c67
Create Date: 2026-12-04 10:56:15.326268

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9f6e662e58c9'
down_revision = 'd52e8f1a3c67'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('follow_up_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['support_case.id'], name=op.f('fk_follow_up_check_case_id_support_case')),
    sa.ForeignKeyConstraint(['done_by_id'], ['employee.id'], name=op.f('fk_follow_up_check_done_by_id_employee')),
    sa.ForeignKeyConstraint(['worker_id'], ['employee.id'], name=op.f('fk_follow_up_check_worker_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_check'))
    )
    with op.batch_alter_table('follow_up_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_check_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_check_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_check_worker_id'), ['worker_id'], unique=False)

    op.create_table('case_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('readiness', sa.String(length=16), nullable=False),
    sa.Column('criterion', sa.String(length=24), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=True),
    sa.Column('closure_summary', sa.Text(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('meeting_item_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['support_case.id'], name=op.f('fk_case_review_case_id_support_case')),
    sa.ForeignKeyConstraint(['entry_id'], ['case_entry.id'], name=op.f('fk_case_review_entry_id_case_entry')),
    sa.ForeignKeyConstraint(['meeting_item_id'], ['meeting_item.id'], name=op.f('fk_case_review_meeting_item_id_meeting_item')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['employee.id'], name=op.f('fk_case_review_reviewed_by_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_review'))
    )
    with op.batch_alter_table('case_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_review_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_review_criterion'), ['criterion'], unique=False)




def downgrade():

    with op.batch_alter_table('case_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_review_criterion'))
        batch_op.drop_index(batch_op.f('ix_case_review_case_id'))

    op.drop_table('case_review')
    with op.batch_alter_table('follow_up_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_check_worker_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_check_due_on'))
        batch_op.drop_index(batch_op.f('ix_follow_up_check_case_id'))

    op.drop_table('follow_up_check')

