// Evidence packages: choose queries of a case, build a package (POST /api/packages), download its
// zip, check it with verify-package's checks (GET …/verify) and preview the report's pages (GET …/report/pages).
import { api, h, replace, fmtNumber, fmtBytes, fmtTime, badge, custody, showError, showFieldErrors } from './app.js';

const form = document.getElementById('package-form');
const caseSelect = document.getElementById('pkg-case');
const queriesBox = document.getElementById('pkg-queries');
const status = document.getElementById('build-status');
const detail = document.getElementById('detail');
const params = new URLSearchParams(location.search);

async function loadCases() {
  const answer = await api('/api/cases?pageSize=200&sort=-latest');
  for (const c of answer.cases) caseSelect.append(h('option', { value: c.case }, `${c.case} (${c.queries} queries)`));
  if (params.get('case')) {
    caseSelect.value = params.get('case');
    await loadQueries();
  }
}

async function loadQueries() {
  const chosen = caseSelect.value;
  if (!chosen) {
    replace(queriesBox, h('legend', {}, 'Queries to include'), h('p', { class: 'muted' }, 'Choose a case first.'));
    return;
  }
  const found = await api(`/api/cases/${encodeURIComponent(chosen)}`);
  replace(queriesBox, h('legend', {}, `Queries of case ${found.case} to include`), found.queries.map((q) => {
    const usable = (q.state === 'succeeded' || q.state === 'cancelled') && q.resultSha256;
    const id = `q-${q.id}`;
    return h('div', { class: 'check' },
      h('input', { type: 'checkbox', id, name: 'queries', value: q.id, checked: usable, disabled: !usable }),
      h('label', { for: id, class: 'inline' }, `${fmtTime(q.submittedAt)} · ${q.owner} · ${q.description} · ${fmtNumber(q.packets)} packets`,
        usable ? '' : ` (${q.state}: nothing to package)`));
  }));
}

async function build(event) {
  event.preventDefault();
  showFieldErrors(form, null);
  const queries = [...form.querySelectorAll('input[name="queries"]:checked')].map((i) => i.value);
  if (queries.length === 0) {
    document.getElementById('queries-error').textContent = 'Choose a case and at least one finished query.';
    return;
  }
  const body = { queries };
  for (const name of ['title', 'reason', 'examiner', 'organisation']) {
    const value = form.elements[name].value.trim();
    if (value) body[name] = value;
  }
  const button = document.getElementById('build');
  button.disabled = true;
  replace(status, h('p', { class: 'notice notice-info' }, badge('busy', 'Building'), ' Copying and hashing the evidence, rendering the report…'));
  try {
    const built = await api('/api/packages', { method: 'POST', body });
    replace(status, h('p', { class: 'notice notice-ok', role: 'status' }, badge('ok', 'Built'), ` Package ${built.id} for case ${built.case}: `,
      h('a', { href: built.links.zip, download: '' }, 'download the zip'), ' ', custody({ sha256: built.sha256, seq: built.packageSeq })));
    await loadPackages();
    await show(built);
  } catch (error) {
    const left = showFieldErrors(form, error);
    if (left.length) showError(status, error);
    else replace(status);
  } finally {
    button.disabled = false;
  }
}

async function loadPackages() {
  try {
    const answer = await api('/api/packages');
    const rows = answer.packages.map((p) => h('tr', {},
      h('td', {}, fmtTime(p.builtAt)),
      h('td', {}, p.case),
      h('td', {}, p.title, p.partial ? [' ', badge('warn', 'partial')] : null),
      h('td', {}, p.builtBy),
      h('td', {}, h('a', { href: p.links.zip, download: '' }, `Download (${fmtBytes(p.bytes)})`), h('br'), custody({ sha256: p.sha256, seq: p.packageSeq })),
      h('td', {}, h('button', { type: 'button', class: 'quiet', onclick: () => show(p) }, 'Verify and preview'))));
    replace(document.querySelector('#packages-table tbody'), rows.length ? rows : h('tr', {}, h('td', { colspan: '6' }, 'No package built yet.')));
    const wanted = params.get('package');
    if (wanted && answer.packages.some((p) => p.id === wanted)) await show(answer.packages.find((p) => p.id === wanted));
  } catch (error) {
    showError(document.getElementById('list-error'), error);
  }
}

async function show(p) {
  detail.hidden = false;
  const heading = document.getElementById('detail-heading');
  heading.textContent = `Package ${p.title}`;
  heading.focus();
  const verify = document.getElementById('verify');
  const preview = document.getElementById('preview');
  replace(verify, h('p', {}, badge('busy', 'Verifying'), ' Running verify-package’s checks…'));
  replace(preview);
  try {
    const result = await api(`/api/packages/${p.id}/verify`);
    replace(verify,
      h('h3', {}, 'verify-package: ', result.passed ? badge('ok', 'passed') : badge('error', 'failed')),
      h('ul', { class: 'checks' }, result.checks.map((c) => h('li', {}, c.passed ? badge('ok', 'passed') : badge('error', 'failed'), ' ', c.name,
        c.findings.length ? h('ul', {}, c.findings.map((f) => h('li', {}, `${f.subject}: ${f.check}: expected ${f.expected}, found ${f.found}`))) : null))),
      h('p', { class: 'hint' }, `${fmtNumber(result.notes.files)} files, ${fmtNumber(result.notes.custodyEntries)} custody entries, key ${result.notes.keyFingerprint}. Anyone can repeat this with: `, h('code', {}, result.command)));
  } catch (error) {
    showError(verify, error);
  }
  replace(preview, h('p', {}, badge('busy', 'Rendering'), ' Rendering the report’s pages…'));
  try {
    const pages = await api(`/api/packages/${p.id}/report/pages`);
    replace(preview,
      h('h3', {}, `Report (${pages.pages.length} pages) `, custody({ sha256: pages.reportSha256, note: 'report.pdf' })),
      h('p', {}, h('a', { href: p.links.report, download: '' }, 'Download the report (PDF)')),
      h('ol', { class: 'report-pages' }, pages.pages.map((page) => h('li', {},
        h('img', { src: page.src, alt: `Report page ${page.number} of ${pages.pages.length}`, loading: 'lazy' })))));
  } catch (error) {
    showError(preview, error);
  }
}

form.addEventListener('submit', build);
caseSelect.addEventListener('change', () => loadQueries().catch((error) => showError(status, error)));
loadCases().catch((error) => showError(status, error));
loadPackages();
