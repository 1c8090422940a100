// rounds — two sections of the province page: the province's evaluation rounds of a year (26/2026
// Art. 5: the province and the ministry each evaluate at least twice a year, by cut-off and
// deadline) with their sessions and what the evaluation service warns is missing; and, for a
// logged-in user, the dossiers a commune reported on after its 15 working days (Art. 7.2), by
// commune. ui: the app's helpers (api, t, tOr, esc, fmt, table, loggedIn). Each section renders
// its own failure, so the rest of the province page stands when one call is refused.

const YEAR_MIN = 2000, YEAR_MAX = 2100;

// The year asked for in the page's address (?year=), else this year.
export function roundsYear(params) {
  const y = Number(params.get('year'));
  return Number.isInteger(y) && y >= YEAR_MIN && y <= YEAR_MAX ? y : new Date().getFullYear();
}

const sessionStateName = (ui, s) => ui.tOr('state_' + s, s || '');

function sessionsCell(st, ui) {
  const { t, esc } = ui;
  const sessions = st.sessions || [];
  if (!sessions.length) return '0';
  return `${sessions.length}<ul class="cell-list">${sessions.map((s) =>
    `<li data-test="round-session" data-session="${esc(s.session_id)}">${esc(s.session_id)} · ${esc(s.date)} · ${esc(sessionStateName(ui, s.state))}` +
    `${s.after_deadline ? ` <span class="late" data-test="after-deadline">⚠ ${t('after_deadline')}</span>` : ''}</li>`).join('')}</ul>`;
}

function kindCell(r, ui) {
  const { t, esc } = ui;
  if (!r.statutory) return t('round_own');
  const rule = [r.policy, r.article].filter(Boolean).join(' ');
  return `${t('round_statutory')}${rule ? ` <small>(${esc(rule)})</small>` : ''}`;
}

function roundsTable(cal, ui) {
  const { t, tOr, esc, fmt, table } = ui;
  const rounds = cal.rounds || [];
  if (!rounds.length) return `<p data-test="rounds-none">${t('rounds_none').replace('{year}', esc(cal.year))}</p>`;
  return table([t('round_level'), t('round_number'), t('round_cutoff'), t('round_deadline'), t('round_kind'),
    t('round_sessions'), t('products'), t('round_closed')], rounds.map((st) => {
    const r = st.round || {};
    return `<tr data-test="round-row" data-round="${esc(r.id)}" data-level="${esc(r.level)}" data-number="${Number(r.number || 0)}">` +
      `<td>${esc(tOr('level_' + r.level, r.level))}</td><td>${fmt(r.number)}</td>` +
      `<td class="date" data-test="round-cutoff">${esc(r.cutoff)}</td><td class="date" data-test="round-deadline">${esc(r.deadline)}</td>` +
      `<td class="text">${kindCell(r, ui)}</td><td class="text">${sessionsCell(st, ui)}</td>` +
      `<td data-test="round-products">${fmt(st.products)}</td><td data-test="round-closed">${fmt(st.closed_sessions)}</td></tr>`;
  }), 'data-test="round-table" class="rounds"');
}

function warningsList(cal, ui) {
  const { t, esc } = ui;
  const warnings = cal.warnings || [];
  if (!warnings.length) return `<p class="ok" data-test="round-warnings" data-count="0">✓ ${t('round_no_warning')}</p>`;
  return `<div class="warnings" data-test="round-warnings" data-count="${warnings.length}">
    <p class="label" data-test="round-warnings-label">⚠ ${t('round_warnings')}</p>
    <ul lang="en">${warnings.map((w) => `<li data-test="round-warning">${esc(w)}</li>`).join('')}</ul></div>`;
}

// The rounds section of province code for year, as HTML.
export async function roundsSection(code, year, ui) {
  const { api, t, esc } = ui;
  const link = (y, rel, text) => (y >= YEAR_MIN && y <= YEAR_MAX
    ? `<a href="#/province/${esc(encodeURIComponent(code))}?year=${y}" data-test="year-${rel}" rel="${rel}">${text}</a>` : '');
  const nav = `<nav class="year-nav" aria-label="${esc(t('year'))}">${link(year - 1, 'prev', `← ${year - 1}`)}` +
    ` <b data-test="rounds-year">${year}</b> ${link(year + 1, 'next', `${year + 1} →`)}</nav>`;
  let body;
  try {
    const cal = await api(`/v1/rounds?province_code=${encodeURIComponent(code)}&year=${year}`);
    body = `${roundsTable(cal, ui)}${warningsList(cal, ui)}`;
  } catch (e) {
    body = `<p class="error" data-test="rounds-error">${t('error')} ${esc(e.status || '')}: ${esc(e.message)}</p>`;
  }
  return `<section data-test="rounds" data-year="${year}">
    <h2 data-test="rounds-heading">${t('rounds_heading').replace('{year}', year)}</h2>
    ${nav}<p class="method">${t('rounds_intro')}</p>${body}</section>`;
}


// The commune's name, else its code alone.
async function communeNames(codes, api) {
  const names = await Promise.all(codes.map((c) => api('/v1/units/' + encodeURIComponent(c)).then((u) => u.name || '', () => '')));
  return Object.fromEntries(codes.map((c, i) => [c, names[i]]));
}

// The late-dossiers section of province code, as HTML ('' … a login prompt for the public).
export async function lateSection(code, ui) {
  const { api, t, esc, fmt, table } = ui;
  const head = `<h2 data-test="late-heading">${t('late_heading')}</h2><p class="method">${t('late_intro')}</p>`;
  if (!ui.loggedIn()) return `<section data-test="late-dossiers">${head}<p data-test="late-login">${t('late_login')}</p></section>`;
  let body;
  try {
    const page = await api('/v1/late-dossiers?province_code=' + encodeURIComponent(code));
    const byCommune = new Map();
    for (const d of page.dossiers || []) {
      const c = d.commune_code || '';
      if (!byCommune.has(c)) byCommune.set(c, []);
      byCommune.get(c).push(d);
    }
    const communes = [...byCommune.keys()].sort();
    const names = await communeNames(communes, api);
    const rows = communes.flatMap((c) => {
      const list = byCommune.get(c).sort((a, b) => String(a.received).localeCompare(String(b.received)));
      const label = names[c] ? `${esc(names[c])} (${esc(c)})` : esc(c);
      return [`<tr class="group" data-test="late-commune" data-commune="${esc(c)}" data-count="${list.length}">` +
        `<th colspan="5">${label}: ${t('late_count').replace('{n}', fmt(list.length))}</th></tr>`,
      ...list.map((d) => `<tr data-test="late-row" data-product="${esc(d.product_id)}" data-commune="${esc(c)}" data-days="${Number(d.working_days_late) || 0}">` +
        `<td><a href="#/product/${esc(encodeURIComponent(d.product_id))}">${esc(d.product_id)}</a></td>` +
        `<td class="date">${esc(d.received)}</td><td class="date">${esc(d.deadline)}</td><td class="date">${esc(d.reported)}</td><td>${fmt(Number(d.working_days_late) || 0)}</td></tr>`)];
    });
    body = rows.length
      ? table([t('product_id'), t('late_received'), t('late_deadline'), t('late_reported'), t('late_days')], rows, 'data-test="late-table" class="late-table"')
      : `<p class="ok" data-test="late-none">✓ ${t('late_none')}</p>`;
  } catch (e) {
    body = `<p class="error" data-test="late-error">${t('error')} ${esc(e.status || '')}: ${esc(e.message)}</p>`;
  }
  return `<section data-test="late-dossiers">${head}${body}</section>`;
}
