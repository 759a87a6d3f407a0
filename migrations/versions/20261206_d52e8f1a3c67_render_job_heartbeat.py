"""render job heartbeat

Revision ID: d52e8f1a3c67
Revises: dc6d46e782e0
Create Date: 2026-12-06 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd52e8f1a3c67'
down_revision = 'dc6d46e782e0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('render_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker_id', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('render_job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('worker_id')
