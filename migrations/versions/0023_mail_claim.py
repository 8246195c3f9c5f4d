"""mail claim

A delivery of notification e-mail claims its rows before it sends (a token and the time of the claim), so
two queue workers running at the same moment never send one notice twice; a claim older than
MAIL_CLAIM_TIMEOUT is taken over. Existing rows start unclaimed.

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-02 11:10:00

"""
from alembic import op
import sqlalchemy as sa

import core.models


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_claim', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('email_claimed_at', core.models.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('email_claimed_at')
        batch_op.drop_column('email_claim')
