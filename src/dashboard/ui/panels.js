// Small helpers shared by the dashboard's panels: DOM look-ups, formatting, REST calls and the
// confirmation dialog every action goes through.

export const $ = selector => document.querySelector(selector)

export function text (selector, value) {
  const el = typeof selector === 'string' ? $(selector) : selector
  if (el !== null && el.textContent !== value) el.textContent = value
}

export function duration (ms) {
  if (!Number.isFinite(ms) || ms < 0) return 'n/a'
  const s = Math.floor(ms / 1000)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`
}

export function ago (atMs) {
  if (!atMs) return 'never'
  return `${duration(Date.now() - atMs)} ago`
}

export const short = id => id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id

/** A REST call with the dashboard's header; resolves to the JSON body, or throws an Error with the problem's detail. */
export async function api (method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { 'x-sorcha-dashboard': '1', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  if (res.status === 204) return {}
  const json = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(json.detail ?? `${method} ${path}: HTTP ${res.status}`)
  return json
}

/**
 * Asks for confirmation (and a reason when `withReason`) in the modal dialog, then runs `action(reason)`;
 * its failure is shown in the dialog, which stays open. Resolves true when the action succeeded.
 */
export function confirmAction (message, withReason, action) {
  const dialog = $('#confirm')
  const reason = $('#confirm-reason')
  text('#confirm-text', message)
  text('#confirm-error', '')
  reason.value = ''
  reason.hidden = !withReason
  $('label[for=confirm-reason]').hidden = !withReason
  const opener = document.activeElement
  return new Promise(resolve => {
    const done = ok => {
      form.removeEventListener('submit', submit)
      $('#confirm-cancel').removeEventListener('click', cancel)
      dialog.removeEventListener('cancel', cancel)
      dialog.close()
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus()
      resolve(ok)
    }
    const form = $('#confirm-form')
    const submit = async e => {
      e.preventDefault()
      try {
        await action(reason.value.trim())
        done(true)
      } catch (err) {
        text('#confirm-error', err.message)
      }
    }
    const cancel = e => { e.preventDefault(); done(false) }
    form.addEventListener('submit', submit)
    $('#confirm-cancel').addEventListener('click', cancel)
    dialog.addEventListener('cancel', cancel)
    dialog.showModal()
    ;(withReason ? reason : $('#confirm-ok')).focus()
  })
}
