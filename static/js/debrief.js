// The daily debrief, keyboard first. Loaded only on the debrief page.
//
// - On a person's "Is this working?" choices, keys 1-4 pick a choice; the form's
//   htmx change trigger saves it at once, and focus stays where it was.
// - Alt+Shift+N / Alt+Shift+P move to the next / previous person.
// - If a save cannot reach the server (a dropped connection), the words stay in the
//   form, the row says so, and the save is retried when the connection is back.

const ROW = '.app-entry'

function rowOf (element) {
  return element && element.closest ? element.closest(ROW) : null
}

function statusOf (form) {
  let status = form.querySelector('.app-entry__status .app-save-status')
  if (!status) {
    status = document.createElement('p')
    status.className = 'app-save-status'
    status.setAttribute('role', 'status')
    form.querySelector('.app-entry__status').appendChild(status)
  }
  return status
}

document.addEventListener('keydown', (event) => {
  const target = event.target
  if (event.altKey && event.shiftKey && (event.code === 'KeyN' || event.code === 'KeyP')) {
    const rows = Array.from(document.querySelectorAll(ROW))
    const index = rows.indexOf(rowOf(target))
    const next = rows[event.code === 'KeyN' ? index + 1 : Math.max(index - 1, 0)]
    const radio = next && (next.querySelector('input[type=radio]:checked') || next.querySelector('input[type=radio]'))
    if (radio) {
      event.preventDefault()
      radio.focus()
    }
    return
  }
  if (!target.matches || !target.matches(`${ROW} input[type=radio]`)) return
  if (event.altKey || event.ctrlKey || event.metaKey) return
  const choice = rowOf(target).querySelector(`input[type=radio][data-key="${event.key}"]`)
  if (!choice) return
  event.preventDefault()
  if (!choice.checked) {
    choice.checked = true
    choice.dispatchEvent(new Event('change', { bubbles: true }))
  }
  choice.focus()
})

const pending = new Set()

function retryPending () {
  pending.forEach((form) => {
    pending.delete(form)
    form.requestSubmit()
  })
}

document.addEventListener('htmx:error', (event) => {
  const form = event.target.closest ? event.target.closest('form.app-entry__form') : null
  if (!form) return
  pending.add(form)
  const status = statusOf(form)
  status.textContent = 'Not saved yet: no connection. Your words are kept here and will be saved when the connection is back.'
  status.classList.add('govuk-error-message')
  setTimeout(retryPending, 5000)
})

window.addEventListener('online', retryPending)

// "Show more people" adds the next people below; focus moves to the first of them, so the
// keyboard carries on from there (the link that had focus is gone).
function focusAddedPeople () {
  const heading = document.querySelector('.app-entry [data-focus-here]')
  if (!heading) return
  heading.removeAttribute('data-focus-here')
  heading.focus()
}

document.addEventListener('htmx:after:swap', focusAddedPeople)
document.addEventListener('htmx:afterSwap', focusAddedPeople)
