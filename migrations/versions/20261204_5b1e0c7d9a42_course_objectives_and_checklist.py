"""course objectives and printable checklist

Revision ID: 5b1e0c7d9a42
Revises: 5b1e2c7a9d31
Create Date: 2026-12-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7d9a42'
down_revision = '5b1e2c7a9d31'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objectives', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('checklist', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('checklist')
        batch_op.drop_column('objectives')
