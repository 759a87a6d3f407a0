"""job leases and worker heartbeat

Revision ID: c41d7e9a0b52
Revises: a7bd583d7684
Create Date: 2026-12-05 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41d7e9a0b52'
down_revision = 'a7bd583d7684'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'worker_heartbeat',
        sa.Column('worker_id', sa.String(length=120), nullable=False),
        sa.Column('host', sa.String(length=100), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('worker_id'),
    )
    with op.batch_alter_table('worker_heartbeat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_heartbeat_seen_at'), ['seen_at'], unique=False)
    with op.batch_alter_table('video_ingest_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('worker_id', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('lease_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ffmpeg_pid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('work_dir', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('video_ingest_job', schema=None) as batch_op:
        batch_op.drop_column('work_dir')
        batch_op.drop_column('ffmpeg_pid')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('lease_token')
        batch_op.drop_column('worker_id')
        batch_op.drop_column('queued_at')
    with op.batch_alter_table('worker_heartbeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_heartbeat_seen_at'))
    op.drop_table('worker_heartbeat')
