// Verification (verify.run): the latest run's outcome, running a new one and following it once per
// second until it ends, and its findings read as cause → consequences.
import { api, h, replace, badge, custody, fmtTime, fmtNumber, fmtBytes, showError } from './app.js';
import { poll } from './audit.js';

const statusBox = document.getElementById('verify-status');
const runView = document.getElementById('verify-run-view');
const history = document.querySelector('#verify-history tbody');
const runButton = document.getElementById('verify-run');
let follower = null;

function outcome(run) {
  if (run.state === 'succeeded') return run.passed ? badge('ok', 'passed: no finding') : badge('error', 'findings');
  if (run.state === 'failed') return badge('error', 'could not run');
  return badge('busy', run.state);
}

function findingText(f) {
  return `${f.subject}: ${f.check}: expected ${f.expected}, found ${f.found}`;
}

function renderRun(run) {
  const parts = [
    h('dl', { class: 'facts' },
      h('dt', {}, 'Verification'), h('dd', {}, h('code', {}, run.id)),
      h('dt', {}, 'State'), h('dd', { id: 'verify-state' }, outcome(run)),
      h('dt', {}, 'Requested'), h('dd', {}, `${fmtTime(run.requestedAt)} by ${run.requestedBy}`),
      h('dt', {}, 'Started'), h('dd', {}, fmtTime(run.startedAt)),
      h('dt', {}, 'Finished'), h('dd', {}, fmtTime(run.finishedAt)),
      h('dt', {}, 'Ledger'), h('dd', {}, custody({ seq: run.requestedSeq, note: 'verify.requested' }),
        run.ledgerSeq !== undefined && run.ledgerSeq !== null ? [' · ', custody({ seq: run.ledgerSeq, note: 'verify.completed' })] : '')),
  ];
  if (run.error) parts.push(h('p', { class: 'notice notice-error', role: 'alert' }, badge('error', 'Error'), ' ', run.error));
  const report = run.report;
  if (report) {
    parts.push(h('div', { class: 'stats' },
      stat(fmtNumber(report.segmentsChecked), 'segments checked'),
      stat(fmtNumber(report.packetsChecked), 'packets re-read'),
      stat(fmtBytes(report.bytesHashed), 're-hashed'),
      stat(fmtNumber(report.indexEntriesChecked), 'index entries checked'),
      stat(fmtNumber(report.findings.length), 'findings')));
    if (report.passed) {
      parts.push(h('p', { class: 'notice notice-ok', id: 'verify-clean' }, badge('ok', 'Clean'),
        ' Every segment, signature, manifest, index entry and ledger entry checked out.'));
    } else {
      parts.push(h('h3', {}, 'Findings, by cause'));
      parts.push(h('ol', { class: 'causes' }, (report.causes || []).map((cause) => h('li', {},
        h('p', {}, h('strong', {}, 'Cause: '), cause.explanation || findingText(cause.finding)),
        h('p', { class: 'mono' }, findingText(cause.finding)),
        cause.consequences?.length
          ? [h('p', {}, `Consequences (${cause.consequences.length}):`), h('ul', {}, cause.consequences.map((c) => h('li', { class: 'mono' }, findingText(c))))]
          : h('p', { class: 'muted' }, 'No further finding follows from it.')))));
    }
  }
  runView.setAttribute('aria-busy', run.state === 'queued' || run.state === 'running' ? 'true' : 'false');
  replace(runView, parts);
}

function stat(value, label) {
  return h('div', { class: 'stat' }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
}

function renderStatus(runs) {
  const done = runs.find((r) => r.state === 'succeeded');
  if (!done) {
    replace(statusBox, h('p', { class: 'notice notice-warn' }, badge('warn', 'Not verified yet'), ' No verification has finished through the service. Run one.'));
    return;
  }
  const r = done.report || {};
  replace(statusBox, h('p', { class: `notice ${done.passed ? 'notice-ok' : 'notice-error'}` },
    done.passed ? badge('ok', 'verifies') : badge('error', 'does not verify'), ' ',
    done.passed
      ? `The store and the ledger verified at ${fmtTime(done.finishedAt)}: ${fmtNumber(r.segmentsChecked)} segments and the ledger checked, no finding.`
      : `The verification of ${fmtTime(done.finishedAt)} found ${fmtNumber((r.findings || []).length)} problems; read them below.`));
}

function renderHistory(runs) {
  replace(history, runs.length ? runs.map((run) => h('tr', {},
    h('td', {}, fmtTime(run.requestedAt)), h('td', {}, run.requestedBy), h('td', {}, run.state), h('td', {}, outcome(run)),
    h('td', { class: 'num' }, run.report ? fmtNumber(run.report.findings.length) : '–'),
    h('td', {}, custody({ seq: run.ledgerSeq ?? run.requestedSeq })))) : h('tr', {}, h('td', { colspan: '6' }, 'No verification yet.')));
}

async function refresh() {
  try {
    const { verifications } = await api('/api/verify');
    renderStatus(verifications);
    renderHistory(verifications);
    if (verifications.length && !follower) {
      renderRun(verifications[0]);
      if (verifications[0].state === 'queued' || verifications[0].state === 'running') follow(verifications[0].id);
    }
  } catch (error) {
    showError(statusBox, error);
  }
}

function follow(id) {
  follower?.stop();
  runButton.disabled = true;
  follower = poll(async () => {
    const run = await api(`/api/verify/${id}`);
    renderRun(run);
    const finished = run.state === 'succeeded' || run.state === 'failed';
    if (finished) {
      follower = null;
      runButton.disabled = false;
      await refresh();
    }
    return finished;
  });
}

runButton.addEventListener('click', async () => {
  try {
    const run = await api('/api/verify', { method: 'POST' });
    renderRun(run);
    follow(run.id);
  } catch (error) {
    showError(runView, error);
  }
});

refresh();
