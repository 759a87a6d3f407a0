"""overdue index in list order

The overdue list orders by due date, department, employee and course: with the index in that
order it reads one page and stops, instead of sorting every row that shares a due date
(a course assigned to every employee on the same day gives them all the same due date).

Revision ID: 405e8308e2b2
Revises: b4be4d26d790
Create Date: 2026-12-04 14:20:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "405e8308e2b2"
down_revision = "b4be4d26d790"
branch_labels = None
depends_on = None

OLD = ["required", "due_on", "status", "department_id", "course_id", "employee_id"]
NEW = ["required", "due_on", "department_id", "employee_id", "course_id", "status"]


def upgrade():
    with op.batch_alter_table("course_assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_course_assignment_due")
        batch_op.create_index("ix_course_assignment_due", NEW, unique=False)


def downgrade():
    with op.batch_alter_table("course_assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_course_assignment_due")
        batch_op.create_index("ix_course_assignment_due", OLD, unique=False)
