// sheet — a score sheet drawn as the form it is filled in on (parts → groups → criteria →
// options with their star markers, alternatives, knock-outs, part totals), shared by a session's
// result (each member's sheet; the producer's self-assessment beside them, the criteria where it
// differs from the council's majority marked) and the self-assessment page (the same form with
// a radio button per option, one choice of each set of alternatives and a box per knock-out).
// ui: { t, esc, num, table, marker, starCount, starsText } of the app.

export function sheetDrawing(ui) {
  const { t, esc, num, table, marker, starCount, starsText } = ui;
  let uid = 0;

  function criterionLabel(form, id) {
    const c = form && (form.criteria || []).find((x) => x.id === id);
    return c ? `${esc(id)} — ${esc(c.name)}` : esc(id);
  }

  function optionLabel(form, criterionId, optionId) {
    const c = form && (form.criteria || []).find((x) => x.id === criterionId);
    const o = c && (c.options || []).find((x) => x.id === optionId);
    return o ? `${esc(optionId)}. ${esc(o.text)} (${num(o.points)} ${t('points')})` : esc(optionId);
  }

  // Without the form: the scores as the service has them.
  function scoresTable(sh) {
    return table([t('criterion'), t('option'), t('points_col')], (sh.scores || []).map((s) =>
      `<tr><td>${esc(s.id)}</td><td>${esc(s.option)}</td><td>${num(s.score)}</td></tr>`));
  }

  // sh: a sheet ({scores, parts, knockouts: ids}); opts.input: radio buttons to fill it in (sh
  // pre-selects); opts.marks: Map criterion id → {differs, council: the council's majority option}.
  function formBody(sh, form, opts = {}) {
    const scores = new Map((sh.scores || []).map((s) => [s.id, s]));
    const alternatives = new Map((form.alternatives || []).map((a) => [a.id, a]));
    const partNames = form.part_names || [], partMax = form.part_max || [];
    return ['A', 'B', 'C'].map((code, p) => {
      const groups = (form.groups || []).filter((g) => g.part === code).map((g) => {
        const crits = (form.criteria || []).filter((c) => c.part === code && c.group_id === g.id);
        const blocks = [], done = new Set();
        for (const c of crits) {
          if (!c.alternative_of) { blocks.push(criterionBlock(c, scores.get(c.id), form, sh, false, opts)); continue; }
          if (done.has(c.alternative_of)) continue;
          done.add(c.alternative_of);
          const set = crits.filter((x) => x.alternative_of === c.alternative_of);
          const alt = alternatives.get(c.alternative_of);
          blocks.push(`<div class="alternatives" data-test="alternatives"><p class="alt-head">${t('alternatives_of')}${alt ? ` ${esc(alt.id)} — ${esc(alt.name)}` : ''}</p>` +
            set.map((x) => criterionBlock(x, scores.get(x.id), form, sh, true, opts)).join('') + '</div>');
        }
        return `<section class="group"><h5>${esc(g.id)}. ${esc(g.name)} <span class="max">(${t('max')} ${num(g.max)})</span></h5>${blocks.join('')}</section>`;
      });
      const points = opts.input ? '' : `${num((sh.parts || [])[p])} / `;
      return `<section class="part"><h4>${t('part')} ${code}: ${esc(partNames[p])} <span class="max">(${points}${num(partMax[p])})</span></h4>${groups.join('')}</section>`;
    }).join('');
  }

  function optionItem(c, o, i, chosen, input) {
    const pick = i === chosen;
    const meta = `<span class="ometa">${o.min_stars ? `<span class="marker" data-test="star-marker" data-stars="${starCount(o.min_stars)}" title="${esc(t('marker_title').replace('{n}', o.min_stars))}">${marker(o.min_stars)}</span>` : ''}
        <span class="opoints">${num(o.points)} ${t('points_short')}</span>${pick && !input ? `<b class="pick">✔ ${t('chosen')}</b>` : ''}</span>`;
    const text = `${esc(o.text)}${o.implied ? ` <small>(${t('implied')})</small>` : ''}`;
    if (input) {
      const id = `opt-${++uid}`;
      return `<li class="opt pickable${o.implied ? ' implied' : ''}" data-option="${esc(o.id)}">
        <input type="radio" id="${id}" name="crit-${esc(c.id)}" value="${esc(o.id)}" data-criterion="${esc(c.id)}"${pick ? ' checked' : ''}>
        <label class="otext" for="${id}">${text}</label>${meta}</li>`;
    }
    return `<li class="opt${pick ? ' chosen' : ''}${o.implied ? ' implied' : ''}" data-option="${esc(o.id)}" data-chosen="${pick}">
        <span class="otext">${text}</span>${meta}</li>`;
  }

  // A marker is the lowest option that meets that star level's minimum (markers rise with the
  // options): the chosen option meets it when it is that option or one after it.
  function minimums(options, chosen) {
    const mins = options.map((o, i) => ({ stars: o.min_stars || 0, i })).filter((m) => m.stars);
    if (!mins.length) return '';
    return `<ul class="minimums">${mins.map((m) => {
      const met = chosen >= m.i;
      return `<li class="min ${met ? 'met' : 'missed'}" data-test="minimum" data-stars="${m.stars}" data-met="${met}">${marker(m.stars)} ${met ? '✓ ' + t('minimum_met') : '✗ ' + t('minimum_missed')}</li>`;
    }).join('')}</ul>`;
  }

  function criterionBlock(c, score, form, sh, isAlternative, opts) {
    const input = !!opts.input;
    const scored = !!score;
    const mark = opts.marks && opts.marks.get(c.id);
    const head = `<div class="crit-head"><span class="cid">${esc(c.id)}</span> <span class="cname">${esc(c.name)}</span>
      <span class="cpoints">${scored && !input ? `<b>${num(score.score)}</b> / ${num(c.max)} ${t('points')}` : `${t('max')} ${num(c.max)} ${t('points')}`}</span></div>`;
    const notes = [];
    if (isAlternative && input) {
      notes.push(`<p class="alt-note"><label><input type="radio" name="alt-${esc(c.alternative_of)}" value="${esc(c.id)}" data-test="alt-pick"${scored ? ' checked' : ''}> ${t('alternative_applies')}</label></p>`);
    } else if (isAlternative) notes.push(`<p class="alt-note">${scored ? t('alternative_scored') : t('alternative_unscored')}</p>`);
    else if (!scored && !input) notes.push(`<p class="error">${t('not_scored')}</p>`);
    if (mark && mark.differs) notes.push(`<p class="differs-note" data-test="self-differs-note">≠ ${t('council_majority')}: ${optionLabel(form, c.id, mark.council)}</p>`);
    const options = c.options || [];
    let body = '';
    if (!options.length) {
      body = `<p class="free">${t('free_number')}: <b data-test="free-points">${scored ? num(score.score) : '—'}</b> / ${num(c.max)}</p>`;
    } else {
      const chosen = scored ? options.findIndex((o) => o.id === score.option) : -1;
      if (scored && chosen < 0) notes.push(`<p class="error">${t('option_unknown')}: ${esc(score.option)}</p>`);
      body = `<ol class="options">${options.map((o, i) => optionItem(c, o, i, chosen, input)).join('')}</ol>`;
      if (scored && chosen >= 0 && !input) body += minimums(options, chosen);
    }
    const ko = (form.knockouts || []).filter((k) => k.criterion_id === c.id);
    const flagged = new Set(sh.knockouts || []);
    if (ko.length) body += `<ul class="ko-notes">${ko.map((k) => knockoutItem(k, flagged, input)).join('')}</ul>`;
    const cls = `crit${scored || input ? '' : ' unscored'}${isAlternative ? ' alternative' : ''}${mark && mark.differs ? ' differs' : ''}`;
    return `<div class="${cls}" data-test="criterion" data-criterion="${esc(c.id)}" data-scored="${scored}"${mark ? ` data-differs="${!!mark.differs}"` : ''}>${head}${notes.join('')}${body}</div>`;
  }

  function knockoutItem(k, flagged, input) {
    if (input) {
      const id = `ko-${++uid}`;
      return `<li><input type="checkbox" id="${id}" name="ko" value="${esc(k.id)}" data-test="knockout-box"${flagged.has(k.id) ? ' checked' : ''}> <label for="${id}">${esc(k.text)}</label></li>`;
    }
    return `<li class="${flagged.has(k.id) ? 'flagged' : ''}">${flagged.has(k.id) ? `⚠ <b>${t('flagged')}</b>: ` : ''}${esc(k.text)}</li>`;
  }

  // The sheet's own knock-outs (not under a criterion): flagged ones, or boxes to flag them.
  function sheetKnockouts(sh, form, opts = {}) {
    if (opts.input) {
      const own = ((form && form.knockouts) || []).filter((k) => !k.criterion_id);
      const flagged = new Set(sh.knockouts || []);
      return `<div class="sheet-ko" data-test="sheet-knockouts"><h5>${t('sheet_knockouts_own')}</h5>${own.length
        ? `<ul class="ko-notes">${own.map((k) => knockoutItem(k, flagged, true)).join('')}</ul>` : `<p>${t('none')}</p>`}</div>`;
    }
    const ids = sh.knockouts || [];
    const text = (id) => { const k = form && (form.knockouts || []).find((x) => x.id === id); return k ? esc(k.text) : esc(id); };
    return `<div class="sheet-ko" data-test="sheet-knockouts"><h5>${t('sheet_knockouts')}</h5>${ids.length
      ? `<ul class="knockouts">${ids.map((id) => `<li data-knockout="${esc(id)}">⚠ ${text(id)}</li>`).join('')}</ul>` : `<p>${t('none_flagged')}</p>`}</div>`;
  }

  function sheetTotals(sh, form) {
    const names = (form && form.part_names) || [], max = (form && form.part_max) || [];
    const rows = ['A', 'B', 'C'].map((code, p) => `<tr><td>${t('part')} ${code}${names[p] ? ': ' + esc(names[p]) : ''}</td><td>${num((sh.parts || [])[p])}${max.length ? ' / ' + num(max[p]) : ''}</td></tr>`);
    rows.push(`<tr class="sum"><td>${t('total')}</td><td data-test="sheet-total">${num(sh.total)}</td></tr>`);
    rows.push(`<tr><td>${t('sheet_minimum')}</td><td data-test="sheet-minimum" data-stars="${starCount(sh.minimum_stars)}">${starsText(sh.minimum_stars)}</td></tr>`);
    return table([t('part'), t('points_col')], rows, 'class="sheet-totals"');
  }

  return { criterionLabel, optionLabel, scoresTable, formBody, sheetKnockouts, sheetTotals };
}
