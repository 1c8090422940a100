// app — the OCOP dashboard: a single page over the gateway's API (hash routes), Vietnamese by
// default with an English toggle. Every number shown comes from the API as it is; pages mark the
// figures the end-to-end tests compare with data-test attributes.
import { WORDS, SECTORS, stageName } from './i18n.js';
import { b64, decodeEvent, ratingChange, RATING_CHANGED, verifyInclusion } from './proof.js';
import { sheetDrawing } from './sheet.js';
import { selfComparison, selfPage } from './self.js';
import { lateSection, roundsSection, roundsYear } from './rounds.js';

const state = {
  lang: localStorage.getItem('ocop.lang') || 'vi',
  token: sessionStorage.getItem('ocop.token') || '',
  provinces: null,
};

const t = (key) => WORDS[state.lang][key] || key;
const tOr = (key, fallback) => WORDS[state.lang][key] || fallback;
const el = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const fmt = (n) => Number(n || 0).toLocaleString(state.lang === 'vi' ? 'vi-VN' : 'en-GB');

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : 'HTTP ' + status);
    this.status = status;
    this.code = body && body.code;
    this.field = body && body.field;
  }
}

async function api(path, options = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  const res = await fetch(path, { ...options, headers });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

async function provinces() {
  if (!state.provinces) {
    const page = await api('/v1/units?limit=100');
    state.provinces = Object.fromEntries(page.units.map((u) => [u.code, u.name]));
  }
  return state.provinces;
}

function table(head, rows, attrs = '') {
  return `<div class="scroll"><table ${attrs}><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div>`;
}

// Horizontal stacked bars (3, 4, 5 stars) per label, as SVG.
function starsChart(items) {
  const max = Math.max(1, ...items.map((i) => i.s3 + i.s4 + i.s5));
  const rowH = 18, labelW = 150, width = 640;
  const bars = items.map((it, k) => {
    const y = k * rowH, scale = (width - labelW - 60) / max;
    let x = labelW;
    const seg = (n, cls) => { const w = n * scale; const r = `<rect class="${cls}" x="${x}" y="${y + 3}" width="${w}" height="${rowH - 6}"/>`; x += w; return r; };
    return `<text x="${labelW - 6}" y="${y + rowH - 5}" text-anchor="end">${esc(it.label)}</text>` +
      seg(it.s3, 's3') + seg(it.s4, 's4') + seg(it.s5, 's5') +
      `<text x="${x + 4}" y="${y + rowH - 5}">${fmt(it.s3 + it.s4 + it.s5)}</text>`;
  });
  return `<svg class="chart" data-test="stars-chart" viewBox="0 0 ${width} ${items.length * rowH + 4}" role="img" aria-label="${esc(t('national'))}">${bars.join('')}</svg>` +
    `<p class="legend"><span class="s3"></span>${t('stars3')} <span class="s4"></span>${t('stars4')} <span class="s5"></span>${t('stars5')}</p>`;
}

function sumRows(rows) {
  const s = { s3: 0, s4: 0, s5: 0, p5: 0, products: 0, entities: 0 };
  for (const r of rows) {
    s.s3 += r.stars3; s.s4 += r.stars4; s.s5 += r.stars5; s.p5 += r.proposed5;
    s.products += r.products; s.entities += r.entities;
  }
  return s;
}

// ---------------------------------------------------------------- pages

async function overview(view, params) {
  const [report, names] = await Promise.all([api('/v1/reports/stars'), provinces()]);
  const years = [...new Set(report.rows.map((r) => r.year))].sort();
  const year = params.get('year') || '';
  const rows = report.rows.filter((r) => !year || String(r.year) === year);
  const byProvince = {};
  for (const r of rows) (byProvince[r.province_code] ||= []).push(r);
  const items = Object.entries(byProvince).map(([code, rs]) => ({ code, label: names[code] || code, ...sumRows(rs) }))
    .sort((a, b) => b.products - a.products);
  const total = year ? sumRows(rows) : { s3: report.total.stars3, s4: report.total.stars4, s5: report.total.stars5, p5: report.total.proposed5, products: report.total.products, entities: report.total.entities };
  const line = t('totals_line').replace('{products}', `<b data-test="total-products">${fmt(total.products)}</b>`)
    .replace('{entities}', `<b data-test="total-entities">${fmt(total.entities)}</b>`)
    .replace('{s5}', `<b data-test="total-stars5">${fmt(total.s5)}</b>`).replace('{p5}', `<b>${fmt(total.p5)}</b>`)
    .replace('{s4}', `<b data-test="total-stars4">${fmt(total.s4)}</b>`).replace('{s3}', `<b data-test="total-stars3">${fmt(total.s3)}</b>`);
  const options = [`<option value="">${t('all_years')}</option>`, ...years.map((y) => `<option ${String(y) === year ? 'selected' : ''}>${y}</option>`)];
  view.innerHTML = `<h1>${t('national')}</h1>
    <label>${t('year')} <select id="year">${options.join('')}</select></label>
    <p class="totals">${line}</p>
    ${starsChart(items)}
    ${table([t('province'), t('stars3'), t('stars4'), t('stars5'), t('products'), t('entities')],
      items.map((i) => `<tr data-province="${i.code}"><td><a href="#/province/${i.code}">${esc(i.label)}</a></td><td>${fmt(i.s3)}</td><td>${fmt(i.s4)}</td><td>${fmt(i.s5)}</td><td data-test="products">${fmt(i.products)}</td><td>${fmt(i.entities)}</td></tr>`),
      'data-test="province-table"')}`;
  el('year').onchange = (e) => { location.hash = '#/' + (e.target.value ? '?year=' + e.target.value : ''); };
}

async function province(view, code, params) {
  const year = new Date().getFullYear();
  const [names, report, counts, cal1, cal2, rounds, late] = await Promise.all([
    provinces(), api('/v1/reports/stars?province_code=' + encodeURIComponent(code)),
    api('/v1/counts?province_code=' + encodeURIComponent(code)),
    api('/v1/calendar?year=' + year), api('/v1/calendar?year=' + (year + 1)),
    roundsSection(code, roundsYear(params), ui), lateSection(code, ui),
  ]);
  const bySector = {};
  for (const r of report.rows) (bySector[r.sector_code] ||= []).push(r);
  const sectors = Object.entries(bySector).sort().map(([s, rs]) => ({ s, ...sumRows(rs) }));
  const byStage = {};
  for (const r of counts.rows) byStage[r.stage] = (byStage[r.stage] || 0) + r.count;
  const today = new Date().toISOString().slice(0, 10);
  const fairs = [...cal1.items, ...cal2.items].filter((i) => i.province_code === code && i.item.end >= today);
  view.innerHTML = `<h1>${esc(names[code] || code)}</h1>
    <p class="totals" data-test="province-products">${fmt(report.total.products)} ${t('products').toLowerCase()}, ${fmt(report.total.entities)} ${t('entities').toLowerCase()}</p>
    <h2>${t('sector')}</h2>
    ${table([t('sector'), t('stars3'), t('stars4'), t('stars5'), t('products')],
      sectors.map((x) => `<tr><td>${esc(SECTORS[state.lang][x.s] || x.s)}</td><td>${fmt(x.s3)}</td><td>${fmt(x.s4)}</td><td>${fmt(x.s5)}</td><td>${fmt(x.products)}</td></tr>`))}
    <h2>${t('stages')}</h2>
    ${table([t('stage'), t('count')], Object.entries(byStage).map(([s, n]) => `<tr data-stage="${esc(s)}"><td>${esc(stageName(state.lang, s))}</td><td>${fmt(n)}</td></tr>`), 'data-test="stage-table"')}
    <h2>${t('upcoming_fairs')}</h2>
    ${fairs.length ? table([t('fair'), t('start'), t('end')], fairs.map((f) => `<tr><td>${f.source.startsWith('FAIR-') ? `<a href="#/fair/${esc(f.source)}">${esc(f.item.name)}</a>` : esc(f.item.name)}</td><td>${esc(f.item.start)}</td><td>${esc(f.item.end)}</td></tr>`), 'data-test="fair-list"') : `<p>${t('no_fairs')}</p>`}
    ${rounds}${late}`;
}

async function product(view, id) {
  const rating = await api('/v1/products/' + encodeURIComponent(id) + '/rating');
  let cert = null;
  if (rating.certificate_id) cert = await api('/v1/certificates/' + encodeURIComponent(rating.certificate_id));
  const today = new Date().toISOString().slice(0, 10);
  const valid = cert && cert.state === 'valid' && cert.expires >= today;
  let history = `<p>${t('login_for_history')}</p>`;
  let entity = esc(rating.entity_id);
  if (state.token) {
    try {
      const [detail, owner] = await Promise.all([api('/v1/products/' + encodeURIComponent(id)),
        api('/v1/entities/' + encodeURIComponent(rating.entity_id))]);
      entity = `${esc(owner.name)} (${esc(owner.id)})`;
      history = table([t('time'), t('from'), t('to'), t('action'), t('by'), t('reason')], detail.history.map((h) =>
        `<tr><td>${new Date(h.time_ms).toLocaleString(state.lang)}</td><td>${esc(stageName(state.lang, h.from))}</td><td>${esc(stageName(state.lang, h.to))}</td><td>${esc(h.action)}</td><td>${esc(h.by)}</td><td>${esc(h.reason)}</td></tr>`), 'data-test="stage-history"');
    } catch (e) { history = `<p class="error">${esc(e.message)}</p>`; }
  }
  view.innerHTML = `<h1>${esc(rating.name)}</h1>
    <dl class="facts">
      <dt>${t('product_id')}</dt><dd>${esc(rating.id)}</dd>
      <dt>${t('entity')}</dt><dd data-test="entity">${entity}</dd>
      <dt>${t('province')}</dt><dd><a href="#/province/${esc(rating.province_code)}">${esc(rating.province_code)}</a></dd>
      <dt>${t('sector')}</dt><dd>${esc(SECTORS[state.lang][rating.sector_code] || rating.sector_code)}</dd>
      <dt>${t('stage_now')}</dt><dd>${esc(stageName(state.lang, rating.stage))}</dd>
      <dt>${t('stars')}</dt><dd data-test="stars">${'★'.repeat(rating.stars)}${rating.stars ? '' : '—'}</dd>
      <dt>${t('certificate')}</dt><dd data-test="certificate">${cert ? `${esc(cert.id)} — ${valid ? t('certificate_valid') : t('certificate_invalid')}, ${t('valid_until')} ${esc(cert.expires)}` : t('no_certificate')}</dd>
    </dl>
    ${state.token ? `<p><a href="#/product/${esc(encodeURIComponent(id))}/self-assessment" data-test="self-link">${t('self_assessment')}</a> — ${t('self_link_note')}</p>` : ''}
    <h2>${t('stage_history')}</h2>${history}
    <h2>${t('rating_history')}</h2><div id="ratings">${t('loading')}</div>
    <h2>${t('proof')}</h2><div id="proof" data-test="proof-status" data-verified="pending">${t('loading')}</div>`;
  await ratingsAndProof(id);
}

async function ratingsAndProof(id) {
  const changes = [];
  let cursor = 0;
  for (let page = 0; page < 50; page++) {
    const res = await api(`/v1/audit/events?product_id=${encodeURIComponent(id)}&limit=500${cursor ? '&cursor=' + cursor : ''}`);
    for (const e of res.entries) {
      const ev = decodeEvent(b64(e.data || e.public_data));
      if (ev.body === RATING_CHANGED) changes.push({ index: e.index, ...ratingChange(ev) });
    }
    if (!res.next) break;
    cursor = res.next;
  }
  el('ratings').innerHTML = changes.length ? table([t('time'), t('old_stars'), t('new_stars'), t('reason'), t('session'), t('entry')],
    changes.map((c) => `<tr><td>${new Date(c.time_ms).toLocaleString(state.lang)}</td><td>${c.old_stars}</td><td>${c.new_stars}</td><td>${esc(c.reason)}</td><td>${sessionCell(id, c.session_id)}</td><td>${c.index}</td></tr>`), 'data-test="rating-history"') : `<p>${t('proof_none')}</p>`;
  const box = el('proof');
  if (!changes.length) { box.dataset.verified = 'none'; box.textContent = t('proof_none'); return; }
  const latest = changes[changes.length - 1];
  const [proof, config] = await Promise.all([api(`/v1/audit/entries/${latest.index}/proof`), api('/dashboard.json')]);
  const result = await verifyInclusion(proof, config.audit_key);
  box.dataset.verified = result.ok ? 'true' : 'false';
  box.className = result.ok ? 'ok' : 'error';
  box.innerHTML = result.ok
    ? `✓ ${t('proof_verified')}<br><small>${t('entry')} ${latest.index} · ${t('tree_size')} ${fmt(proof.tree_size)} · ${t('root')} <code>${result.root}</code></small>`
    : `✗ ${t('proof_failed')}: ${esc(result.why)}`;
}

// A rating change's session: for a logged-in user, a link to that session's result for the product.
function sessionCell(productId, sessionId) {
  if (!sessionId || !state.token) return esc(sessionId);
  return `<a href="#/product/${esc(encodeURIComponent(productId))}/session/${esc(encodeURIComponent(sessionId))}" data-test="session-link" data-session="${esc(sessionId)}">${esc(sessionId)}</a>`;
}

// ---------------------------------------------------------------- a session's result as forms

const num = (n) => Number(n || 0).toLocaleString(state.lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 });
const starCount = (n) => Math.max(0, Math.min(5, Math.trunc(Number(n) || 0)));
const marker = (n) => '★'.repeat(starCount(n));
const starsText = (n) => (starCount(n) ? `${marker(n)} ${t('n_stars').replace('{n}', starCount(n))}` : t('no_stars'));
const { criterionLabel, optionLabel, scoresTable, formBody, sheetKnockouts, sheetTotals } =
  sheetDrawing({ t, esc, num, table, marker, starCount, starsText });
// What self.js needs of the app.
const ui = {
  api, t, tOr, esc, num, fmt, table, starsText, starCount, criterionLabel, optionLabel, scoresTable, formBody, sheetKnockouts, sheetTotals,
  lang: () => state.lang, loggedIn: () => !!state.token,
};

async function sessionPage(view, productId, sessionId) {
  const back = `<p><a href="#/product/${esc(encodeURIComponent(productId))}">← ${t('back_to_product')}</a></p>`;
  if (!state.token) {
    view.innerHTML = `<h1>${t('session')} ${esc(sessionId)}</h1>${back}<p data-test="login-needed">${t('login_for_session')}</p>`;
    return;
  }
  const [session, rating] = await Promise.all([api('/v1/sessions/' + encodeURIComponent(sessionId)),
    api('/v1/products/' + encodeURIComponent(productId) + '/rating')]);
  const sp = (session.products || []).find((p) => p.product_id === productId);
  const head = `<h1>${t('session_result')} — ${esc(rating.name)} (${esc(productId)})</h1>${back}
    <dl class="facts">
      <dt>${t('session')}</dt><dd>${esc(session.id)}</dd>
      <dt>${t('date')}</dt><dd>${esc(session.date)}</dd>
      <dt>${t('policy')}</dt><dd>${esc(session.policy)}</dd>
      <dt>${t('council')}</dt><dd>${esc(session.council_id)} (${esc(tOr('level_' + session.level, session.level))})</dd>
      <dt>${t('session_state')}</dt><dd>${esc(tOr('state_' + session.state, session.state))}</dd>
      ${session.decision_ref ? `<dt>${t('decision')}</dt><dd>${esc(session.decision_ref)}</dd>` : ''}
    </dl>`;
  if (!sp) { view.innerHTML = `${head}<p class="error">${t('not_in_session')}</p>`; return; }
  if (session.state !== 'closed') { view.innerHTML = `${head}<p data-test="session-open">${t('session_not_closed')}</p>`; return; }
  const [page, form, self] = await Promise.all([
    api(`/v1/sessions/${encodeURIComponent(sessionId)}/sheets?product_id=${encodeURIComponent(productId)}`),
    api(`/v1/products/${encodeURIComponent(productId)}/sheet?date=${encodeURIComponent(session.date)}`).catch((e) => ({ error: e })),
    api(`/v1/products/${encodeURIComponent(productId)}/self-assessment`).catch((e) => (e.status === 404 ? null : { error: e })),
  ]);
  // The form is looked up by the product's classification today: join the sheets with it only
  // when it is the very sheet the session scored on.
  let note = '';
  let usable = form;
  if (form.error) { note = `${t('form_unavailable')}: ${esc(form.error.message)}`; usable = null; }
  else if ((sp.rubric && form.rubric !== sp.rubric) || (sp.rubric_digest && form.digest !== sp.rubric_digest)) {
    note = t('form_differs').replace('{scored}', esc(sp.rubric)).replace('{now}', esc(form.rubric));
    usable = null;
  }
  const sheets = [...(page.sheets || [])].sort((a, b) => (a.phase || 0) - (b.phase || 0) || (a.round || 0) - (b.round || 0) ||
    String(a.member_id).localeCompare(String(b.member_id), undefined, { numeric: true }));
  view.innerHTML = `${head}
    <h2 data-test="result-heading">${t('result')}</h2>${sessionResult(sp, usable)}
    ${selfComparison(self, sheets, sp, usable, ui)}
    <h2 data-test="sheets-heading">${t('member_sheets')} (${fmt(sheets.length)})</h2>
    ${usable ? `<p class="method" data-test="form-name">${t('form')}: ${esc(usable.rubric)} — ${esc(usable.name)} (${esc(usable.version)}${usable.official ? '' : ', ' + t('not_official')})</p>
      <p class="method">${t('marker_legend')}</p>` : ''}
    ${note ? `<p class="error" data-test="form-note">${note}</p>` : ''}
    ${sheetRounds(sheets, sp, usable)}`;
}

function sessionResult(sp, form) {
  const missed = sp.minimums_missed || [], found = sp.knockouts || [];
  const ofSheets = (x, y, key) => t(key).replace('{x}', fmt(x)).replace('{y}', fmt(y));
  return `<div class="result" data-test="session-result">
    <dl class="facts">
      <dt>${t('mean')}</dt><dd data-test="session-mean">${num(sp.mean)}</dd>
      <dt>${t('band_stars')}</dt><dd>${starsText(sp.band_stars)}</dd>
      <dt>${t('minimum_stars')}</dt><dd data-test="session-minimum-stars">${starsText(sp.minimum_stars)}</dd>
      <dt>${t('ranked_stars')}</dt><dd>${starsText(sp.ranked_stars)}</dd>
      <dt>${t('stars_conferred')}</dt><dd data-test="session-stars" data-stars="${starCount(sp.stars)}"><b>${starsText(sp.stars)}</b></dd>
      ${sp.certificate_id ? `<dt>${t('certificate')}</dt><dd>${esc(sp.certificate_id)}</dd>` : ''}
    </dl>
    <p class="why"><span class="label">${t('why')}</span> <q lang="en" data-test="session-why">${esc(sp.why)}</q></p>
    <h3>${t('minimums_missed')}</h3>
    ${missed.length ? `<ul class="missed">${missed.map((m) => `<li data-test="minimum-missed"><b>${criterionLabel(form, m.criterion_id)}</b>
      <br>${t('level')}: ${starsText(m.stars)}
      <br>${t('option_required')}: ${optionLabel(form, m.criterion_id, m.option_id)}
      <br><span class="min missed">✗ ${ofSheets(m.sheets_reaching, m.sheets, 'sheets_reached')}</span></li>`).join('')}</ul>` : `<p>${t('none_missed')}</p>`}
    <h3>${t('knockouts_found')}</h3>
    ${found.length ? `<ul class="knockouts">${found.map((k) => `<li data-test="knockout-found">⚠ ${esc(k.text)} <small>(${k.criterion_id ? `${t('criterion')} ${esc(k.criterion_id)}, ` : ''}${ofSheets(k.sheets_flagging, k.sheets, 'sheets_flagged')})</small></li>`).join('')}</ul>` : `<p>${t('none_found')}</p>`}
  </div>`;
}

// The sheets by phase and round, each member's sheet folded (the first one open).
function sheetRounds(sheets, sp, form) {
  if (!sheets.length) return `<p>${t('no_sheets')}</p>`;
  const out = [];
  let key = '';
  sheets.forEach((sh, i) => {
    const k = `${sh.phase || 0}/${sh.round || 0}`;
    if (k !== key) {
      key = k;
      const deciding = (sh.phase || 0) === (sp.phase || 0) && (sh.round || 0) === (sp.round || 0);
      out.push(`<h3>${t('phase')} ${fmt(sh.phase)} · ${t('round')} ${fmt(sh.round)}${deciding ? ` <small class="badge">${t('deciding_round')}</small>` : ''}</h3>`);
    }
    out.push(memberSheet(sh, form, i === 0));
  });
  return out.join('');
}

function memberSheet(sh, form, open) {
  const summary = `${t('member')} <b>${esc(sh.member_id)}</b> · ${t('phase')} ${fmt(sh.phase)} · ${t('round')} ${fmt(sh.round)} — ` +
    `${t('total')} ${num(sh.total)} · ${t('sheet_minimum')} ${starsText(sh.minimum_stars)}`;
  const body = form ? formBody(sh, form) : scoresTable(sh);
  return `<details class="sheet" data-test="sheet" data-member="${esc(sh.member_id)}" data-phase="${Number(sh.phase || 0)}" data-round="${Number(sh.round || 0)}"${open ? ' open' : ''}>
    <summary>${summary}</summary>
    <div class="sheet-body">${body}${sheetKnockouts(sh, form)}${sheetTotals(sh, form)}</div>
  </details>`;
}

function zPlot(rows, names, testId) {
  const width = 640, rowH = 16, mid = 320, scale = 40;
  const marks = rows.map((r, k) => {
    const y = k * rowH + rowH / 2;
    return names.map((n, j) => {
      const v = (r.values.find((x) => x.name === n) || {}).value || 0;
      const x = Math.max(5, Math.min(width - 5, mid + v * scale));
      return `<circle class="m${j}" cx="${x}" cy="${y}" r="4"><title>${esc(r.group)} ${n}: ${v.toFixed(2)}</title></circle>`;
    }).join('') + `<text x="4" y="${y + 4}">${esc(r.group)}</text>`;
  });
  return `<svg class="chart" data-test="${testId}" data-points="${rows.length}" viewBox="0 0 ${width} ${rows.length * rowH + 4}">
    <line x1="${mid}" x2="${mid}" y1="0" y2="${rows.length * rowH}" class="axis"/>
    <line x1="${mid + 2 * scale}" x2="${mid + 2 * scale}" y1="0" y2="${rows.length * rowH}" class="limit"/>${marks.join('')}</svg>`;
}

async function integrity(view) {
  const [bunching, leniency] = await Promise.all([api('/v1/audit/reports/bunching?limit=60'), api('/v1/audit/reports/leniency?limit=60')]);
  const b = bunching.rows.filter((r) => r.sample > 0).slice(0, 60);
  const l = leniency.rows.slice(0, 60);
  view.innerHTML = `<h1>${t('integrity')}</h1>
    <h2>${t('bunching')}</h2><p class="method">${esc(bunching.method)}</p>
    ${b.length ? zPlot(b, ['z_50', 'z_70', 'z_90'], 'bunching-plot') + '<p class="legend"><span class="m0"></span>50 <span class="m1"></span>70 <span class="m2"></span>90</p>' : `<p data-test="bunching-plot" data-points="0">${t('none')}</p>`}
    <h2>${t('leniency')}</h2><p class="method">${esc(leniency.method)}</p>
    ${l.length ? zPlot(l, ['z'], 'leniency-plot') : `<p data-test="leniency-plot" data-points="0">${t('none')}</p>`}`;
}

async function fairsList(view) {
  const year = new Date().getFullYear();
  const cal = [...(await api('/v1/calendar?year=' + year)).items, ...(await api('/v1/calendar?year=' + (year + 1))).items];
  view.innerHTML = `<h1>${t('calendar')}</h1>` + table([t('fair'), t('province'), t('region'), t('start'), t('end')], cal.map((c) =>
    `<tr><td>${c.source.startsWith('FAIR-') ? `<a href="#/fair/${esc(c.source)}">${esc(c.item.name)}</a>` : esc(c.item.name)}</td><td>${esc(c.province_code)}</td><td>${esc(c.region)}</td><td>${esc(c.item.start)}</td><td>${esc(c.item.end)}</td></tr>`), 'data-test="calendar"');
}

async function fair(view, id) {
  const page = await api('/v1/fairs/' + encodeURIComponent(id) + '/applications');
  const f = page.fair;
  view.innerHTML = `<h1>${esc(f.name)}</h1>
    <dl class="facts"><dt>${t('organiser')}</dt><dd>${esc(f.organiser)}</dd><dt>${t('venue')}</dt><dd>${esc(f.venue)}</dd>
    <dt>${t('start')}</dt><dd>${esc(f.start)}</dd><dt>${t('end')}</dt><dd>${esc(f.end)}</dd>
    <dt>${t('booths')}</dt><dd data-test="booths">${fmt(f.booked)} / ${fmt(f.booths)}</dd><dt>${t('allocated')}</dt><dd>${f.allocated ? '✓' : '—'}</dd></dl>
    <p><button id="allocate" data-test="allocate">${t('allocate')}</button> <span id="action" data-test="action-result"></span></p>
    <h2>${t('applications')}</h2>
    ${table([t('booth'), t('product_id'), t('stars'), t('state'), t('waiting'), t('reason')], page.applications.map((a) =>
      `<tr><td>${a.booth || ''}</td><td><a href="#/product/${esc(a.product_id)}">${esc(a.product_id)}</a></td><td>${'★'.repeat(a.stars)}</td><td>${esc(a.state)}</td><td>${a.waiting_rank || ''}</td><td>${esc(a.reason)}</td></tr>`), 'data-test="applications"')}`;
  el('allocate').onclick = async () => {
    const out = el('action');
    try {
      await api('/v1/fairs/' + encodeURIComponent(id) + '/allocation', { method: 'POST', body: '{}' });
      out.className = 'ok';
      out.dataset.status = '200';
      out.textContent = '✓ ' + t('allocated');
    } catch (e) {
      out.className = 'error';
      out.dataset.status = String(e.status || 0);
      out.textContent = `${t('error')} ${e.status}: ${e.message}`;
    }
  };
}

// ---------------------------------------------------------------- shell

function shell() {
  document.documentElement.lang = state.lang;
  document.title = t('title');
  el('brand').textContent = t('title');
  el('nav-overview').textContent = t('overview');
  el('nav-integrity').textContent = t('integrity');
  el('nav-fairs').textContent = t('fairs');
  el('lang').textContent = t('language');
  el('product-id').placeholder = t('product_id');
  el('go').textContent = t('open');
  el('token').placeholder = t('token');
  el('login').textContent = state.token ? t('logout') : t('login');
  el('token').hidden = !!state.token;
  el('who').textContent = state.token ? t('officer_view') : t('public_view');
}

async function route() {
  shell();
  const view = el('view');
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query || '');
  const parts = (path || '/').split('/').filter(Boolean).map(decodeURIComponent);
  view.innerHTML = `<p>${t('loading')}</p>`;
  view.dataset.ready = 'false';
  try {
    if (parts[0] === 'province' && parts[1]) await province(view, parts[1], params);
    else if (parts[0] === 'product' && parts[1] && parts[2] === 'session' && parts[3]) await sessionPage(view, parts[1], parts[3]);
    else if (parts[0] === 'product' && parts[1] && parts[2] === 'self-assessment') await selfPage(view, parts[1], ui);
    else if (parts[0] === 'product' && parts[1]) await product(view, parts[1]);
    else if (parts[0] === 'integrity') await integrity(view);
    else if (parts[0] === 'fairs') await fairsList(view);
    else if (parts[0] === 'fair' && parts[1]) await fair(view, parts[1]);
    else await overview(view, params);
  } catch (e) {
    view.innerHTML = `<p class="error" data-test="page-error">${t('error')} ${esc(e.status || '')}: ${esc(e.message)}</p>`;
  }
  view.dataset.ready = 'true';
}

el('lang').onclick = () => { state.lang = state.lang === 'vi' ? 'en' : 'vi'; localStorage.setItem('ocop.lang', state.lang); route(); };
el('login').onclick = () => {
  if (state.token) state.token = '';
  else state.token = el('token').value.trim();
  if (state.token) sessionStorage.setItem('ocop.token', state.token); else sessionStorage.removeItem('ocop.token');
  el('token').value = '';
  route();
};
el('go').onclick = () => { const id = el('product-id').value.trim(); if (id) location.hash = '#/product/' + encodeURIComponent(id); };
window.addEventListener('hashchange', route);
route();
