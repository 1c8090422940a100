// self — the producer's self-assessment (Mẫu số 02, Art. 6.1 of 26/2026/QĐ-TTg): the page where
// a logged-in producer fills in its product's official form and sees the points, band, the star
// it would reach, each minimum missed and the advice for the next star; and, on a session's
// result, the latest self-assessment beside the council's sheets with the criteria where it
// differs from the council's majority choice marked. ui: the app's helpers (api, t, esc, num,
// starsText, starCount, lang) and the sheet drawing of sheet.js.

const path = (id) => `/v1/products/${encodeURIComponent(id)}/self-assessment`;

// The form a's labels come from: only the very sheet it was made on.
const formOf = (a, form) => (form && !form.error && form.rubric === a.rubric && form.digest === a.rubric_digest ? form : null);

// A self-assessment as a sheet for the drawing (knock-outs by id).
const asSheet = (a) => ({ ...a, knockouts: (a.knockouts || []).map((k) => k.id) });

function adviceBlock(a, form, ui) {
  const { t, esc, num, starsText, criterionLabel, optionLabel } = ui;
  if ((a.knockouts || []).length) return `<p class="advice-none" data-test="advice-none" data-why="knocked-out">${t('advice_knocked_out')}</p>`;
  if (!a.next_stars) return `<p class="advice-none" data-test="advice-none" data-why="top">${t('advice_top')}</p>`;
  const advice = a.advice || [];
  const head = `<h4 data-test="advice-heading">${t('advice_heading').replace('{n}', a.next_stars)}</h4>`;
  if (!advice.length || a.advice_total < 0) return `${head}<p class="advice-none" data-test="advice-none">${t('advice_unreachable')}</p>`;
  return `${head}<ol class="advice" data-test="advice-list">${advice.map((x) => `<li data-test="advice" data-criterion="${esc(x.criterion_id)}" data-from="${esc(x.from_option)}" data-to="${esc(x.to_option)}" data-reason="${esc(x.reason)}">
      <b>${criterionLabel(form, x.criterion_id)}</b>
      <br>${t('advice_from')} ${optionLabel(form, x.criterion_id, x.from_option)}
      <br>${t('advice_to')} ${optionLabel(form, x.criterion_id, x.to_option)}
      <br><span class="gain">+${num(x.points_gained)} ${t('points')}</span> — ${t('reason_' + x.reason)}</li>`).join('')}</ol>
    <p data-test="advice-total">${t('advice_total')}: <b>${num(a.advice_total)}</b> → ${starsText(a.next_stars)}</p>`;
}

// One self-assessment's outcome.
export function selfResult(a, form, ui) {
  const { t, esc, num, starsText, starCount, criterionLabel, optionLabel } = ui;
  const labels = formOf(a, form);
  const missed = a.minimums_missed || [], kos = a.knockouts || [], parts = a.parts || [];
  return `<div class="result self-result" data-test="self-result" data-number="${Number(a.number || 0)}">
    <dl class="facts">
      <dt>${t('self_when')}</dt><dd>${esc(a.date)} · ${new Date(a.time_ms).toLocaleString(ui.lang())}</dd>
      <dt>${t('form')}</dt><dd>${esc(a.rubric)} (${esc(a.policy)})</dd>
      <dt>${t('total')}</dt><dd data-test="self-total">${num(a.total)}</dd>
      <dt>${t('parts')}</dt><dd>${['A', 'B', 'C'].map((c, i) => `${c}: ${num(parts[i])}`).join(' · ')}</dd>
      <dt>${t('band_stars')}</dt><dd data-test="self-band" data-stars="${starCount(a.band_stars)}">${starsText(a.band_stars)}</dd>
      <dt>${t('self_minimum_stars')}</dt><dd>${starsText(a.minimum_stars)}</dd>
      <dt>${t('self_ranked')}</dt><dd data-test="self-stars" data-stars="${starCount(a.ranked_stars)}"><b>${starsText(a.ranked_stars)}</b></dd>
    </dl>
    <h4>${t('minimums_missed')}</h4>
    ${missed.length ? `<ul class="missed">${missed.map((m) => `<li data-test="self-minimum-missed" data-criterion="${esc(m.criterion_id)}"><b>${criterionLabel(labels, m.criterion_id)}</b>
      <br>${t('level')}: ${starsText(m.stars)} · ${t('option_required')}: ${optionLabel(labels, m.criterion_id, m.option_id)}</li>`).join('')}</ul>` : `<p>${t('none_missed')}</p>`}
    <h4>${t('self_knockouts')}</h4>
    ${kos.length ? `<ul class="knockouts">${kos.map((k) => `<li data-test="self-knockout">⚠ ${esc(k.text)}</li>`).join('')}</ul>` : `<p>${t('none_flagged')}</p>`}
    ${adviceBlock(a, labels, ui)}
  </div>`;
}

// The choices of the form as filled in: one option per criterion (of a set of alternatives, the
// one that applies) and the knock-outs ticked. A criterion left blank is left out: the service
// then names it.
function collect(formEl, form) {
  const picked = (name) => [...formEl.querySelectorAll('input[type=radio]')].find((i) => i.name === name && i.checked);
  const scores = [];
  for (const c of form.criteria || []) {
    if (c.alternative_of) {
      const alt = picked('alt-' + c.alternative_of);
      if (!alt || alt.value !== c.id) continue;
    }
    const opt = picked('crit-' + c.id);
    if (opt) scores.push({ id: c.id, option: opt.value });
  }
  const knockouts = [...formEl.querySelectorAll('input[type=checkbox][name=ko]')].filter((i) => i.checked).map((i) => i.value);
  return { scores, knockouts };
}

export async function selfPage(view, productId, ui) {
  const { api, t, esc, formBody, sheetKnockouts } = ui;
  const back = `<p><a href="#/product/${esc(encodeURIComponent(productId))}">← ${t('back_to_product')}</a></p>`;
  if (!ui.loggedIn()) {
    view.innerHTML = `<h1>${t('self_assessment')}</h1>${back}<p data-test="login-needed">${t('login_for_self')}</p>`;
    return;
  }
  const [rating, form, latest] = await Promise.all([
    api(`/v1/products/${encodeURIComponent(productId)}/rating`),
    api(`/v1/products/${encodeURIComponent(productId)}/sheet`).catch((e) => ({ error: e })),
    api(path(productId)).catch((e) => (e.status === 404 ? null : { error: e })),
  ]);
  const usable = latest && !latest.error;
  const draft = usable && formOf(latest, form) ? asSheet(latest) : { scores: [], knockouts: [] };
  let fill;
  if (form.error) fill = `<p class="error">${t('form_unavailable')}: ${esc(form.error.message)}</p>`;
  else if (!form.by_options) fill = `<p data-test="self-no-options">${t('self_no_options')}</p>`;
  else {
    fill = `<form id="self-form" class="self-form" data-test="self-form" novalidate>
      <p class="method" data-test="form-name">${t('form')}: ${esc(form.rubric)} — ${esc(form.name)} (${esc(form.version)}${form.policy && form.policy !== form.version ? ', ' + esc(form.policy) : ''}, ${esc(form.date)})</p>
      <p class="method">${t('marker_legend_fill')}</p>
      <div class="sheet-body">${formBody(draft, form, { input: true })}${sheetKnockouts(draft, form, { input: true })}</div>
      <p class="submit"><button type="submit" data-test="self-submit">${t('self_submit')}</button>
        <span id="self-status" data-test="self-status" role="status"></span></p>
    </form>
    <div id="self-out" data-test="self-outcome"></div>`;
  }
  view.innerHTML = `<h1>${t('self_assessment')} — ${esc(rating.name)} (${esc(productId)})</h1>${back}
    <p class="method">${t('self_intro')}</p>
    <h2>${t('self_latest')}</h2>
    <div data-test="self-latest">${!latest ? `<p data-test="self-none">${t('self_none')}</p>`
      : latest.error ? `<p class="error">${esc(latest.error.message)}</p>` : selfResult(latest, form, ui)}</div>
    <h2>${t('self_fill')}</h2>${fill}`;
  const formEl = document.getElementById('self-form');
  if (!formEl) return;
  formEl.addEventListener('submit', async (e) => {
    e.preventDefault();
    const status = document.getElementById('self-status'), out = document.getElementById('self-out');
    status.className = '';
    delete status.dataset.status;
    status.textContent = t('self_sending');
    try {
      const a = await api(path(productId), { method: 'POST', body: JSON.stringify(collect(formEl, form)) });
      status.className = 'ok';
      status.dataset.status = '200';
      status.textContent = '✓ ' + t('self_sent').replace('{n}', a.number);
      out.innerHTML = `<h2>${t('self_result_heading')}</h2>${selfResult(a, form, ui)}`;
      out.scrollIntoView({ block: 'start' });
    } catch (err) {
      status.className = 'error';
      status.dataset.status = String(err.status || 0);
      status.textContent = `${t('self_refused')} (${err.status || ''}${err.field ? ', ' + err.field : ''}): ${err.message}`;
    }
  });
}

// The council's majority choice per criterion on the deciding round's sheets: an option more
// than half of the sheets that scored the criterion chose, '' when none did.
function majorities(sheets, sp) {
  const deciding = sheets.filter((s) => (s.phase || 0) === (sp.phase || 0) && (s.round || 0) === (sp.round || 0));
  const counts = new Map();
  for (const sh of deciding) {
    for (const s of sh.scores || []) {
      const c = counts.get(s.id) || { n: 0, by: new Map() };
      c.n++;
      c.by.set(s.option, (c.by.get(s.option) || 0) + 1);
      counts.set(s.id, c);
    }
  }
  const out = new Map();
  for (const [id, c] of counts) out.set(id, [...c.by].find(([, k]) => k * 2 > c.n)?.[0] || '');
  return out;
}

// On a session's result: the producer's latest self-assessment beside the council's sheets.
export function selfComparison(a, sheets, sp, form, ui) {
  const { t, esc, num, starsText, formBody, sheetKnockouts, sheetTotals, scoresTable } = ui;
  const heading = `<h2 data-test="self-heading">${t('self_vs_council')}</h2>`;
  if (!a) return `${heading}<p data-test="self-none">${t('self_none')}</p>`;
  if (a.error) return `${heading}<p class="error">${esc(a.error.message)}</p>`;
  const sheet = asSheet(a);
  const fill = (key) => t(key).replace('{number}', esc(a.number)).replace('{date}', esc(a.date))
    .replace('{total}', num(a.total)).replace('{stars}', starsText(a.ranked_stars));
  if (!form || a.rubric !== sp.rubric || form.rubric !== a.rubric) {
    return `${heading}<p class="self-line" data-test="self-diff-line" data-differs="">${fill('self_compare_line')} ${t('self_other_form').replace('{self}', esc(a.rubric)).replace('{scored}', esc(sp.rubric))}</p>${scoresTable(a)}`;
  }
  const council = majorities(sheets, sp);
  const marks = new Map((a.scores || []).map((s) => {
    const c = council.get(s.id) || '';
    return [s.id, { council: c, differs: !!c && c !== s.option }];
  }));
  const differing = [...marks].filter(([, m]) => m.differs).map(([id]) => id);
  const line = differing.length
    ? `${fill('self_compare_line')} ${t('self_differs').replace('{n}', differing.length).replace('{list}', differing.map(esc).join(', '))}`
    : `${fill('self_compare_line')} ${t('self_same')}`;
  return `${heading}<p class="self-line" data-test="self-diff-line" data-differs="${differing.length}">${line}</p>
    <details class="sheet self-sheet" data-test="self-sheet" open>
      <summary>${t('self_sheet_summary')} · ${t('total')} ${num(a.total)} · ${starsText(a.ranked_stars)}</summary>
      <div class="sheet-body">${formBody(sheet, form, { marks })}${sheetKnockouts(sheet, form)}${sheetTotals(sheet, form)}</div>
    </details>`;
}
