'use strict';
// Renders the embedded data (script#data) in pages. Document text only ever reaches the page
// as DOM text nodes (textContent, never innerHTML): texts may hold markup.
(() => {
  const D = JSON.parse(document.getElementById('data').textContent);
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  const doc = (i) => D.docs[i] || { id: '#' + i, text: '' };
  const score = (x) => (typeof x === 'number' ? x.toFixed(4) : '–');
  const plural = (n, one, many) => n.toLocaleString('en') + ' ' + (n === 1 ? one : many);

  const multi = D.clusters.filter((c) => c.members.length > 1);
  const single = D.clusters.filter((c) => c.members.length <= 1);
  const lists = {
    clusters: { all: multi, items: multi, page: 0, per: 50, box: $('clusters'), nav: $('clusters-pager'), render: renderCluster },
    singletons: { all: single, items: single, page: 0, per: 100, box: $('singletons'), nav: $('singletons-pager'), render: renderSingleton },
  };

  function render(key) {
    const l = lists[key];
    const pages = Math.max(1, Math.ceil(l.items.length / l.per));
    l.page = Math.min(l.page, pages - 1);
    const frag = document.createDocumentFragment();
    for (const c of l.items.slice(l.page * l.per, (l.page + 1) * l.per)) frag.append(l.render(c));
    if (!l.items.length) frag.append(el('p', 'empty', 'None match.'));
    l.box.replaceChildren(frag);
    l.nav.replaceChildren();
    if (pages < 2) return;
    const go = (d) => () => { l.page += d; render(key); l.box.scrollIntoView({ block: 'start' }); };
    const prev = el('button', null, '‹ Previous');
    const next = el('button', null, 'Next ›');
    prev.disabled = l.page === 0;
    next.disabled = l.page === pages - 1;
    prev.onclick = go(-1);
    next.onclick = go(1);
    l.nav.append(prev, el('span', null, `Page ${l.page + 1} of ${pages}`), next);
  }

  function pairButton(i) {
    const p = D.pairs[i];
    const b = el('button', 'pair' + (p.join ? ' join' : ''));
    b.type = 'button';
    b.dataset.pair = i;
    b.append(el('span', 'id', doc(p.a).id + ' ~ ' + doc(p.b).id), el('span', 'score', score(p.similarity)));
    b.append(el('span', 'badge' + (p.join ? ' join' : ''), p.join ? 'join · ' + p.evidence : p.evidence));
    b.title = 'Show the two texts side by side';
    return b;
  }

  // The joins as one line A ~ B ~ C when they form a path (as single linkage often makes);
  // null for any other tree.
  function chainOf(joins) {
    const adj = new Map();
    for (const p of joins) {
      for (const [x, y] of [[p.a, p.b], [p.b, p.a]]) {
        if (!adj.has(x)) adj.set(x, []);
        adj.get(x).push([y, p]);
      }
    }
    if ([...adj.values()].some((v) => v.length > 2)) return null;
    const start = [...adj.keys()].find((k) => adj.get(k).length === 1);
    if (start === undefined) return null;
    const path = [[start, null]];
    let prev = null;
    for (let cur = start; path.length <= adj.size;) {
      const step = adj.get(cur).find(([n]) => n !== prev);
      if (!step) break;
      path.push(step);
      prev = cur;
      cur = step[0];
    }
    return path.length === adj.size ? path : null;
  }

  function renderCluster(c) {
    const art = el('article', 'cluster');
    art.dataset.cluster = c.id;
    const h = el('h3', null, `Cluster ${c.id}`);
    h.append(el('span', 'size', plural(c.members.length, 'document', 'documents')));
    art.append(h);
    const t = el('table', 'members');
    const head = t.createTHead().insertRow();
    for (const [name, cls] of [['Document', ''], ['Score to representative', 'num'], ['Evidence', '']]) {
      const th = el('th', cls, name);
      th.scope = 'col';
      head.append(th);
    }
    const body = t.createTBody();
    c.members.forEach((m, k) => {
      const row = body.insertRow();
      const id = row.insertCell();
      id.append(el('span', 'id', doc(m).id));
      if (k === 0) id.append(el('span', 'badge', 'representative'));
      row.insertCell().append(score(c.similarity[k]));
      row.cells[1].className = 'num';
      const ev = row.insertCell();
      ev.className = 'ev';
      if (k === 0) ev.textContent = '—';
      else if (c.evidence[k]) ev.textContent = c.evidence[k];
      else ev.append(el('span', 'via', 'via linkage'));
    });
    art.append(t);
    const pairs = c.pairs.filter((i) => D.pairs[i]);
    const joins = pairs.map((i) => D.pairs[i]).filter((p) => p.join);
    const chain = chainOf(joins);
    if (chain && chain.length > 2) {
      const line = el('div', 'chain');
      line.append(el('span', 'label', 'Linkage path:'));
      chain.forEach(([m, p]) => {
        if (p) line.append(el('span', 'link', `~${score(p.similarity)}~`));
        line.append(el('span', 'node', doc(m).id));
      });
      art.append(line);
    }
    if (pairs.length) {
      const label = el('div', 'pairs-label', 'Pairs (joins, the linkage path, marked “join”; click one to compare):');
      const ul = el('ul', 'pairs');
      for (const i of pairs) {
        const li = el('li');
        li.append(pairButton(i));
        ul.append(li);
      }
      art.append(label, ul);
    }
    return art;
  }

  function renderSingleton(c) {
    const li = el('li');
    const d = doc(c.members[0]);
    li.append(el('span', 'id', d.id), el('span', 'snippet', d.text.slice(0, 240).replace(/\s+/g, ' ')));
    return li;
  }

  // Search: case-insensitive substring of any member's id or text.
  let lower = null;
  function filter() {
    const q = $('q').value.trim().toLowerCase();
    if (q && !lower) lower = D.docs.map((d) => (d.id + '\n' + d.text).toLowerCase());
    const hit = (c) => !q || c.members.some((m) => lower[m] !== undefined && lower[m].includes(q));
    for (const key of Object.keys(lists)) {
      const l = lists[key];
      l.items = q ? l.all.filter(hit) : l.all;
      l.page = 0;
      render(key);
    }
    const [nc, ns] = [lists.clusters.items.length, lists.singletons.items.length];
    const count = $('count');
    count.dataset.clusters = nc;
    count.dataset.singletons = ns;
    count.textContent = q
      ? `Matching: ${nc} of ${plural(multi.length, 'cluster', 'clusters')}, ${ns} of ${plural(single.length, 'singleton', 'singletons')}`
      : `${plural(multi.length, 'cluster', 'clusters')} of two or more, ${plural(single.length, 'singleton', 'singletons')}`;
    if (q && ns && !nc) $('singletons-box').open = true;
  }
  let timer = 0;
  $('q').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(filter, 120); });

  // The side-by-side view.
  const dlg = $('pair');
  let marks = [];
  let current = -1;

  function fill(side, d, ranges, which) {
    side.querySelector('h3').textContent = d.id;
    const box = side.querySelector('.text');
    const sorted = ranges.slice().sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    const frag = document.createDocumentFragment();
    let cur = 0;
    for (const [s0, e, k, ps] of sorted) {
      const s = Math.max(s0, cur);
      if (e <= s) continue;
      if (s > cur) frag.append(d.text.slice(cur, s));
      const m = el('mark', 'shared', d.text.slice(s, e));
      m.dataset.passage = k;
      m.dataset.side = which;
      m.tabIndex = 0;
      m.title = `Passage ${k + 1}: ${ps.words} words, weight ${Number(ps.weight).toFixed(1)}`;
      frag.append(m);
      cur = e;
    }
    if (cur < d.text.length) frag.append(d.text.slice(cur));
    box.replaceChildren(frag);
    box.scrollTop = 0;
  }

  function partners(k) {
    return dlg.querySelectorAll(`mark[data-passage="${Number(k)}"]`);
  }

  function highlight(k, scroll, from) {
    for (const m of dlg.querySelectorAll('mark.on')) m.classList.remove('on');
    if (k == null) return;
    current = Number(k);
    for (const m of partners(k)) {
      m.classList.add('on');
      if (scroll && m !== from) m.scrollIntoView({ block: 'center' });
    }
    $('pair-pos').textContent = `Passage ${current + 1} of ${marks.length}`;
  }

  function openPair(i) {
    const p = D.pairs[i];
    if (!p) return;
    const [A, B] = [doc(p.a), doc(p.b)];
    $('pair-title').textContent = `${A.id} ~ ${B.id}`;
    const meta = $('pair-meta');
    meta.replaceChildren('Score ', el('b', null, score(p.similarity)), ` · evidence ${p.evidence}`,
      p.join ? ' · joined the cluster' : '', ` · ${plural(p.passages.length, 'shared passage', 'shared passages')}`);
    const terms = $('pair-terms');
    terms.replaceChildren(el('span', 'label', p.terms.length ? 'Top shared terms (share of the score):' : 'No shared terms listed.'));
    const top = Math.max(...p.terms.map((t) => t[1]), 1e-9);
    for (const [w, share] of p.terms) {
      const t = el('span', 'term');
      const bar = el('span', 'bar');
      bar.style.width = Math.round((40 * share) / top) + 'px';
      t.append(el('span', null, w), bar, el('span', 'pct', (100 * share).toFixed(1) + '%'));
      terms.append(t);
    }
    marks = p.passages;
    fill($('side-a'), A, p.passages.map((x, k) => [x.a[0], x.a[1], k, x]), 'a');
    fill($('side-b'), B, p.passages.map((x, k) => [x.b[0], x.b[1], k, x]), 'b');
    $('pair-pos').textContent = marks.length ? `${marks.length} passages` : 'No shared passages';
    current = -1;
    if (!dlg.open) dlg.showModal();
    if (marks.length) highlight(0, true);
  }

  function step(d) {
    if (!marks.length) return;
    highlight((current + d + marks.length) % marks.length, true);
  }

  document.addEventListener('click', (ev) => {
    const b = ev.target.closest('button.pair');
    if (b) openPair(Number(b.dataset.pair));
  });
  dlg.addEventListener('mouseover', (ev) => {
    const m = ev.target.closest('mark.shared');
    if (m) highlight(m.dataset.passage, false);
  });
  dlg.addEventListener('click', (ev) => {
    const m = ev.target.closest('mark.shared');
    if (m) highlight(m.dataset.passage, true, m);
    else if (ev.target === dlg) dlg.close();
  });
  dlg.addEventListener('focusin', (ev) => {
    if (ev.target.matches('mark.shared')) highlight(ev.target.dataset.passage, true, ev.target);
  });
  $('pair-close').onclick = () => dlg.close();
  $('pair-prev').onclick = () => step(-1);
  $('pair-next').onclick = () => step(1);

  filter();
})();
