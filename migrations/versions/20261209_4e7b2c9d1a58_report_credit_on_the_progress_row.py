"""report credit on the progress row

A progress report writes one row: the wall-clock budget (credited_until) and the report
count move from the viewing session to the learner's progress row.

Revision ID: 4e7b2c9d1a58
Revises: 9f6e662e58c9
Create Date: 2026-12-09 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e7b2c9d1a58'
down_revision = '9f6e662e58c9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('video_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credited_until', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('reports', sa.Integer(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('video_viewing_session', schema=None) as batch_op:
        batch_op.drop_column('reports')
        batch_op.drop_column('credited_seconds')
        batch_op.drop_column('last_report_at')


def downgrade():
    with op.batch_alter_table('video_viewing_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_report_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('credited_seconds', sa.Double(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column('reports', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('video_progress', schema=None) as batch_op:
        batch_op.drop_column('reports')
        batch_op.drop_column('credited_until')
