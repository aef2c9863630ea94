// Administration: users (users.manage), live capture (capture.control), service health
// (config.read) and the jobs dashboard link (dashboard). Each section shows only with its permission;
// the server refuses the calls anyway.
import { api, h, replace, can, badge, fmtTime, fmtNumber, showError, showFieldErrors } from './app.js';
import { poll } from './audit.js';

let roles = [];

// ---- Users ----------------------------------------------------------------------------------
const usersBody = document.querySelector('#users-table tbody');
const usersStatus = document.getElementById('users-status');
const addForm = document.getElementById('user-add');
const dialog = document.getElementById('revoke-dialog');

async function loadRoles() {
  if (can('config.read')) {
    try {
      const config = await api('/api/config');
      roles = Object.keys(config.policies?.roles || {}).sort();
      return config;
    } catch { /* fall back to the roles in use */ }
  }
  return null;
}

function roleOptions(select, current) {
  replace(select, roles.map((r) => h('option', { value: r, selected: r === current }, r)));
}

async function loadUsers() {
  try {
    const { users } = await api('/api/users');
    if (roles.length === 0) roles = [...new Set(users.map((u) => u.role))].sort();
    roleOptions(document.getElementById('user-role'), 'investigator');
    replace(usersBody, users.map(userRow));
  } catch (error) {
    showError(usersStatus, error);
  }
}

function userRow(user) {
  const revoked = Boolean(user.revokedAt);
  const select = h('select', { id: `role-${user.name}`, 'aria-label': `New role for ${user.name}`, disabled: revoked });
  roleOptions(select, user.role);
  return h('tr', { dataset: { user: user.name } },
    h('th', { scope: 'row' }, user.name),
    h('td', {}, user.role),
    h('td', {}, fmtTime(user.createdAt), h('span', { class: 'muted' }, ` by ${user.createdBy}`)),
    h('td', {}, revoked ? [badge('error', 'revoked'), ` ${fmtTime(user.revokedAt)}`] : badge('ok', 'active')),
    h('td', {}, revoked ? '–' : h('span', { class: 'inline' }, select, ' ',
      h('button', { type: 'button', class: 'quiet', onclick: () => changeRole(user, select.value) }, h('span', { class: 'visually-hidden' }, `${user.name}: `), 'Change role'))),
    h('td', {}, revoked ? '–' : h('button', { type: 'button', class: 'danger', onclick: () => confirmRevoke(user) },
      'Revoke', h('span', { class: 'visually-hidden' }, ` ${user.name}`))));
}

async function changeRole(user, role) {
  try {
    const changed = await api(`/api/users/${encodeURIComponent(user.name)}`, { method: 'PATCH', body: { role } });
    replace(usersStatus, h('p', { class: 'notice notice-ok' }, badge('ok', 'Changed'), ` ${changed.name} now has the role ${changed.role} (recorded in the ledger as user.role-changed).`));
    await loadUsers();
  } catch (error) {
    showError(usersStatus, error);
  }
}

function confirmRevoke(user) {
  document.getElementById('revoke-text').textContent =
    `${user.name} (${user.role}) will no longer be able to use their token; their browser sessions end. A revoked name is never reused.`;
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'revoke') return;
    try {
      await api(`/api/users/${encodeURIComponent(user.name)}`, { method: 'DELETE' });
      replace(usersStatus, h('p', { class: 'notice notice-ok' }, badge('ok', 'Revoked'), ` ${user.name}'s token is revoked (recorded in the ledger as user.revoked).`));
      await loadUsers();
    } catch (error) {
      showError(usersStatus, error);
    }
  };
  dialog.showModal();
}

addForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(addForm);
  try {
    const added = await api('/api/users', { method: 'POST', body: { name: String(data.get('name') || '').trim(), role: String(data.get('role') || '') } });
    showFieldErrors(addForm, null);
    showToken(added);
    addForm.reset();
    roleOptions(document.getElementById('user-role'), 'investigator');
    await loadUsers();
  } catch (error) {
    const left = showFieldErrors(addForm, error);
    if (error.status !== 400 || left.length) showError(usersStatus, error);
  }
});

function showToken(added) {
  const box = document.getElementById('new-token');
  const token = h('code', { id: 'new-token-value' }, added.token);
  const copy = h('button', { type: 'button', class: 'quiet', onclick: async () => {
    try {
      await navigator.clipboard.writeText(added.token);
      copy.textContent = 'Copied';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(token);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      copy.textContent = 'Selected: press Ctrl+C';
    }
  } }, 'Copy token');
  replace(box, h('div', { class: 'notice notice-warn', role: 'alert' },
    h('p', {}, badge('warn', 'Shown once'), ` The token of ${added.name} (${added.role}) is below. It will not be shown again: the service keeps only its SHA-256. Give it to ${added.name} now.`),
    h('p', {}, token, ' ', copy),
    h('p', {}, h('button', { type: 'button', class: 'quiet', onclick: () => replace(box) }, 'I have kept it: hide the token'))));
}

// ---- Capture --------------------------------------------------------------------------------
let capturePoll = null;

function renderCapture(state) {
  const box = document.getElementById('capture-state');
  const running = state.running;
  document.getElementById('capture-start-button').disabled = running;
  document.getElementById('capture-stop-button').disabled = !running;
  const last = state.last;
  replace(box,
    h('p', {}, running ? badge('busy', 'capturing') : badge('info', 'stopped'),
      running ? ` on ${state.interface}${state.filter ? ` with filter "${state.filter}"` : ''}, since ${fmtTime(state.startedAt)}, started by ${state.startedBy}` : ''),
    running ? h('div', { class: 'stats', id: 'capture-counters' },
      stat(state.delivered, 'packets recorded'), stat(state.received, 'received by libpcap'),
      stat(state.kernelDropped, 'dropped by the kernel'), stat(state.interfaceDropped, 'dropped by the interface'),
      stat(state.recorderDropped, 'dropped by Recorder')) : '',
    state.error ? h('p', { class: 'notice notice-error', role: 'alert' }, badge('error', 'Capture failed'), ' ', state.error) : '',
    !running && last ? h('p', { class: 'muted' }, `Last capture: ${JSON.stringify(last).slice(0, 300)}`) : '');
  if (running && !capturePoll) {
    // Once per second while the capture runs, for its drop counters.
    capturePoll = poll(async () => {
      const now = await api('/api/capture');
      renderCapture(now);
      if (!now.running) capturePoll = null;
      return !now.running;
    });
  }
}

function stat(value, label) {
  return h('div', { class: 'stat' }, h('div', { class: 'value' }, fmtNumber(value)), h('div', { class: 'label' }, label));
}

async function loadCapture() {
  try {
    renderCapture(await api('/api/capture'));
  } catch (error) {
    showError(document.getElementById('capture-status'), error);
  }
}

document.getElementById('capture-start').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  const filter = String(data.get('filter') || '').trim();
  try {
    const state = await api('/api/capture/start', { method: 'POST', body: { interface: String(data.get('interface') || '').trim(), ...(filter ? { filter } : {}) } });
    showFieldErrors(form, null);
    replace(document.getElementById('capture-status'));
    renderCapture(state);
  } catch (error) {
    const left = showFieldErrors(form, error);
    if (error.status !== 400 || left.length) showError(document.getElementById('capture-status'), error);
  }
});

document.getElementById('capture-stop-button').addEventListener('click', async () => {
  try {
    const stopped = await api('/api/capture/stop', { method: 'POST' });
    capturePoll?.stop();
    capturePoll = null;
    replace(document.getElementById('capture-status'), h('p', { class: 'notice notice-ok' }, badge('ok', 'Stopped'), ' The capture is sealed.'));
    renderCapture({ running: false, last: stopped });
  } catch (error) {
    showError(document.getElementById('capture-status'), error);
  }
});

// ---- Health ---------------------------------------------------------------------------------
async function loadHealth(config) {
  const box = document.getElementById('health');
  let live;
  try {
    const response = await fetch('/health', { credentials: 'same-origin' });
    live = response.ok ? badge('ok', 'answering') : badge('error', `HTTP ${response.status}`);
  } catch (error) {
    live = badge('error', `unreachable: ${error.message}`);
  }
  if (!config) {
    replace(box, h('p', {}, 'Liveness: ', live));
    return;
  }
  replace(box, h('dl', { class: 'facts' },
    h('dt', {}, 'Liveness (/health)'), h('dd', {}, live),
    h('dt', {}, 'Node'), h('dd', {}, config.node),
    h('dt', {}, 'Store'), h('dd', {}, h('code', {}, config.store?.path), ` (id ${config.store?.storeId})`),
    h('dt', {}, 'Job storage'), h('dd', {}, config.jobs?.storage),
    h('dt', {}, 'Workers'), h('dd', {}, fmtNumber(config.jobs?.workers)),
    h('dt', {}, 'BPF checking'), h('dd', {}, config.bpf === 'libpcap' ? badge('ok', 'libpcap') : badge('warn', String(config.bpf))),
    h('dt', {}, 'Policies'), h('dd', {}, `${Object.keys(config.policies?.roles || {}).length} roles, ${Object.keys(config.policies?.sinks || {}).length} sinks; roles.json SHA-256 `,
      h('code', {}, config.policies?.rolesSha256 || '–')),
    h('dt', {}, 'Capture'), h('dd', {}, config.capture?.running ? badge('busy', 'running') : badge('info', 'stopped'))));
}

async function start() {
  const config = await loadRoles();
  if (can('users.manage')) {
    document.getElementById('users-section').hidden = false;
    await loadUsers();
  }
  if (can('capture.control')) {
    document.getElementById('capture-section').hidden = false;
    await loadCapture();
  }
  if (can('config.read')) {
    document.getElementById('health-section').hidden = false;
    await loadHealth(config);
  }
  if (can('dashboard')) document.getElementById('jobs-section').hidden = false;
}

start();
