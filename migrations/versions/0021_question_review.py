"""question review

Review before use (审核, issue 15 §5): each question's review state and statistics flag, who approved each
version and when, and the history of review decisions. Questions already published or retired were in use
before review existed: all their versions are marked approved by the system (dated when each version was
written, so item statistics count the responses they already have) and the questions approved, so no
certification paper loses a question. Drafts stay drafts and wait for a second trainer.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 11:20:00

"""
from alembic import op
import sqlalchemy as sa

import core.models


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_status', sa.String(length=20), server_default='draft', nullable=False))
        batch_op.add_column(sa.Column('review_flag', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_questions_review_status'), ['review_status'], unique=False)

    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_by_system', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_question_versions_approved_by_id_users'), 'users', ['approved_by_id'], ['id'], ondelete='SET NULL')

    op.create_table('question_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=True),
    sa.Column('created_at', core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_reviews_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_question_reviews_reviewer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_question_reviews_version_id_question_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_reviews'))
    )
    with op.batch_alter_table('question_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_reviews_question_id'), ['question_id'], unique=False)

    in_use = "SELECT id FROM questions WHERE status IN ('published', 'retired')"
    op.execute(
        "UPDATE question_versions SET approved_by_system = true, approved_at = created_at"
        f" WHERE question_id IN ({in_use})"
    )
    op.execute("UPDATE questions SET review_status = 'approved' WHERE status IN ('published', 'retired')")


def downgrade():
    with op.batch_alter_table('question_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_reviews_question_id'))

    op.drop_table('question_reviews')
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_question_versions_approved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('approved_by_system')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_id')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_review_status'))
        batch_op.drop_column('review_flag')
        batch_op.drop_column('review_status')
