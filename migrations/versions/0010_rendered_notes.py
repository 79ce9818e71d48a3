"""notes rendered once when saved

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 22:00:00

Each session note gets its sanitised HTML beside it, and existing rows are rendered here. The
renderer is copied, not imported: a migration must keep working whatever the app's code
becomes. This copy is tracker/mentoring/markdown.py as of this revision (the same options,
allow-lists and work budget; a test checks that both give the same HTML).
"""

from functools import lru_cache

import nh3
from alembic import context, op
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

NOTES = ('agenda', 'shared_notes', 'private_notes')
MAX_STEPS = 100_000
TAGS = {
    'p', 'br', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
}
ATTRIBUTES = {'a': {'href', 'title'}, 'ol': {'start'}, 'th': {'align'}, 'td': {'align'}}


class _OverBudget(Exception):
    pass


def _charge(env, steps):
    if env['steps'] + steps > MAX_STEPS:
        raise _OverBudget
    env['steps'] += steps


def _counted(fn):
    def rule(state, *args):
        _charge(state.env, 1)
        return fn(state, *args)
    return rule


def _counted_inline(fn):
    def rule(state, silent):
        made = len(state.tokens)
        _charge(state.env, 1)
        found = fn(state, silent)
        _charge(state.env, len(state.tokens) - made)
        return found
    return rule


def _counted_pass(fn):
    def rule(state):
        _charge(state.env, 1 + len(state.tokens))
        return fn(state)
    return rule


def _counted_table(fn):
    def rule(state, start, end, silent):
        _charge(state.env, 1)
        if not silent and fn(state, start, end, True):
            line = start + 1
            columns = state.src.count('|', state.bMarks[line], state.eMarks[line]) + 1
            cells = 0
            while line < end and not state.isEmpty(line) and cells <= MAX_STEPS:
                cells += columns
                line += 1
            _charge(state.env, 5 * (cells + columns))
        return fn(state, start, end, silent)
    return rule


def _join_text(state):
    level, kept, run = 0, [], []

    def flush():
        if run:
            if len(run) > 1:
                run[-1].content = ''.join(t.content for t in run)
            kept.append(run[-1])
            run.clear()

    for token in state.tokens:
        if token.nesting < 0:
            level -= 1
        token.level = level
        if token.nesting > 0:
            level += 1
        if token.type == 'text':
            run.append(token)
            continue
        flush()
        kept.append(token)
    flush()
    state.tokens[:] = kept


def _build():
    md = MarkdownIt('commonmark', {'html': False, 'linkify': False, 'breaks': True})
    md.enable(['table', 'strikethrough'])
    md.inline.ruler2.at('fragments_join', _join_text)
    wrappers = (
        (md.core.ruler, _counted),
        (md.block.ruler, _counted),
        (md.inline.ruler, _counted_inline),
        (md.inline.ruler2, _counted_pass),
    )
    for ruler, wrap in wrappers:
        for rule in list(ruler.__rules__):
            counted = _counted_table if rule.name == 'table' else wrap
            ruler.at(rule.name, counted(rule.fn), {'alt': rule.alt})
    skip = md.inline.skipToken

    def skip_token(state):
        _charge(state.env, 1)
        skip(state)

    md.inline.skipToken = skip_token
    return md


@lru_cache(maxsize=4096)  # seeded and imported data repeat the same notes
def _render(md, text):
    if not text:
        return ''
    env = {'steps': 0}
    try:
        html = md.render(text, env)
    except _OverBudget:
        lines = text.replace('\0', '\ufffd').splitlines()
        return str(Markup('<p>') + Markup('<br>\n').join(escape(x) for x in lines) + Markup('</p>'))
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={'http', 'https', 'mailto'},
        link_rel='noopener noreferrer nofollow',
    )


def upgrade() -> None:
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        for name in NOTES:
            batch_op.add_column(sa.Column(f'{name}_html', sa.Text(), server_default='', nullable=False))

    if context.is_offline_mode():
        raise RuntimeError('0010 renders existing notes in Python: run it on a live database.')
    session = sa.table(
        'mentoring_session',
        sa.column('id', sa.Integer),
        *[sa.column(name, sa.Text) for name in NOTES],
        *[sa.column(f'{name}_html', sa.Text) for name in NOTES],
    )
    update = (
        sa.update(session)
        .where(session.c.id == sa.bindparam('row_id'))
        .values({f'{name}_html': sa.bindparam(f'new_{name}') for name in NOTES})
    )
    conn, md, last = op.get_bind(), _build(), 0
    while True:  # in chunks of rows, so a large database is never held in memory at once
        rows = conn.execute(
            sa.select(session.c.id, *[session.c[name] for name in NOTES])
            .where(session.c.id > last)
            .order_by(session.c.id)
            .limit(500)
        ).all()
        if not rows:
            break
        conn.execute(
            update,
            [
                {'row_id': row.id, **{f'new_{name}': _render(md, row._mapping[name]) for name in NOTES}}
                for row in rows
            ],
        )
        last = rows[-1].id
    _render.cache_clear()


def downgrade() -> None:
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        for name in reversed(NOTES):
            batch_op.drop_column(f'{name}_html')
