"""one knowledge-point vocabulary

The bank's tags (question_tags) and training's knowledge points (knowledge_points) become one tree in
knowledge_points: every tag becomes the knowledge point of the same name (an existing one when the name is
taken, a new root otherwise), question links and paper-blueprint rules that named tag ids are re-pointed,
then question_tags goes. Knowledge points gain a parent, a path and a position (the tree itself is seeded
from the guide by ``flask seed-content``, which also places the merged points under their sections).
Questions gain the 考试专用 flag; drill criteria gain the knowledge point they check.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 08:00:00

"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OLD_FK = 'fk_question_tag_links_tag_id_question_tags'
NEW_FK = 'fk_question_tag_links_tag_id_knowledge_points'

points = sa.table(
    'knowledge_points',
    sa.column('id', sa.Integer),
    sa.column('name', sa.String),
    sa.column('guide_section', sa.String),
    sa.column('path', sa.String),
    sa.column('position', sa.Integer),
)
links = sa.table('question_tag_links', sa.column('question_id', sa.Integer), sa.column('tag_id', sa.Integer))


def _remap_rules(bind, mapping):
    """Blueprint rules named tag ids: they now name the knowledge points the tags became."""
    table = sa.table('blueprint_rules', sa.column('id', sa.Integer), sa.column('tag_ids', sa.JSON))
    for rule_id, tag_ids in bind.execute(sa.select(table.c.id, table.c.tag_ids)).all():
        if isinstance(tag_ids, str):
            tag_ids = json.loads(tag_ids)
        if not tag_ids:
            continue
        new = [mapping.get(int(t), int(t)) for t in tag_ids]
        bind.execute(table.update().where(table.c.id == rule_id).values(tag_ids=new))


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('knowledge_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('path', sa.String(length=400), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_knowledge_points_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowledge_points_path'), ['path'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_knowledge_points_parent_id_knowledge_points'),
            'knowledge_points', ['parent_id'], ['id'], ondelete='RESTRICT',
        )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exam_only', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('drill_criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('knowledge_point_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_drill_criteria_knowledge_point_id'), ['knowledge_point_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_drill_criteria_knowledge_point_id_knowledge_points'),
            'knowledge_points', ['knowledge_point_id'], ['id'], ondelete='SET NULL',
        )

    # Every tag becomes the knowledge point of its name.
    existing = dict(bind.execute(sa.select(points.c.name, points.c.id)).all())
    mapping = {}
    for tag_id, name in bind.execute(sa.text('SELECT id, name FROM question_tags ORDER BY id')).all():
        if name not in existing:
            bind.execute(points.insert().values(name=name, guide_section='', path='', position=0))
            existing[name] = bind.execute(sa.select(points.c.id).where(points.c.name == name)).scalar_one()
        mapping[tag_id] = existing[name]
    saved = bind.execute(sa.select(links.c.question_id, links.c.tag_id)).all()
    bind.execute(links.delete())
    with op.batch_alter_table('question_tag_links', schema=None) as batch_op:
        batch_op.drop_constraint(OLD_FK, type_='foreignkey')
        batch_op.create_foreign_key(NEW_FK, 'knowledge_points', ['tag_id'], ['id'], ondelete='CASCADE')
    if saved:
        bind.execute(links.insert(), [{'question_id': q, 'tag_id': mapping[t]} for q, t in saved])
    _remap_rules(bind, mapping)
    op.drop_table('question_tags')
    bind.execute(points.update().values(path='/' + sa.cast(points.c.id, sa.String) + '/'))


def downgrade():
    bind = op.get_bind()
    op.create_table(
        'question_tags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_tags')),
        sa.UniqueConstraint('name', name=op.f('uq_question_tags_name')),
    )
    # The points that questions use become tags again, keeping their ids (blueprint rules stay valid).
    used = bind.execute(
        sa.select(points.c.id, points.c.name).where(points.c.id.in_(sa.select(links.c.tag_id))).order_by(points.c.id)
    ).all()
    if used:
        bind.execute(sa.text('INSERT INTO question_tags (id, name) VALUES (:id, :name)'), [
            {'id': i, 'name': n} for i, n in used
        ])
    with op.batch_alter_table('question_tag_links', schema=None) as batch_op:
        batch_op.drop_constraint(NEW_FK, type_='foreignkey')
        batch_op.create_foreign_key(OLD_FK, 'question_tags', ['tag_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('drill_criteria', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_drill_criteria_knowledge_point_id_knowledge_points'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_drill_criteria_knowledge_point_id'))
        batch_op.drop_column('knowledge_point_id')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('exam_only')
    with op.batch_alter_table('knowledge_points', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_knowledge_points_parent_id_knowledge_points'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_knowledge_points_path'))
        batch_op.drop_index(batch_op.f('ix_knowledge_points_parent_id'))
        batch_op.drop_column('position')
        batch_op.drop_column('path')
        batch_op.drop_column('parent_id')
