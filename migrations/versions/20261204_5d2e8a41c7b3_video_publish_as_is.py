"""video ingest jobs remember a stream-copied publication

Revision ID: 5d2e8a41c7b3
Revises: 5b1e0c7d9a42
Create Date: 2026-12-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e8a41c7b3'
down_revision = '5b1e0c7d9a42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('video_ingest_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stream_copied', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('video_ingest_job', schema=None) as batch_op:
        batch_op.drop_column('stream_copied')
        batch_op.drop_column('published_version')
