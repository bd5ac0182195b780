// Liberated: start GOV.UK Frontend and MOJ Frontend components.
//
// Loaded once, at the end of <body>, as <script type="module" src=".../init.js">.
// No inline script anywhere (strict CSP), so the body classes that GOV.UK's
// page template normally adds with an inline <script> are added here.
// Both vendored bundles are ES modules (built by assets/build.py).

import { initAll as initGovuk } from './govuk-frontend.min.js'
import { initAll as initMoj } from './moj-frontend.min.js'

// What GOV.UK's template does inline: `js-enabled` turns on JS-only styles
// and `govuk-frontend-supported` is what both libraries check before they
// start any component (a browser running this module supports ES modules).
document.body.classList.add('js-enabled')
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}

// Components already started throw an InitError when started again; that is
// expected after an htmx swap, when we start everything new on the page.
function onError (error) {
  if (error && error.name === 'InitError') return
  console.error(error)
}

function startComponents () {
  initGovuk({ onError })
  // MOJ Frontend 11's initAll starts add-another, alert, button menu, date
  // picker, multi-select, password reveal, search toggle and sortable table
  // (each by its data-module attribute). The filter toggle button needs
  // per-page options: start it from page code if a page uses it.
  initMoj({ scope: document, onError })
}

// Move focus to an error summary that has just appeared, so keyboard and
// screen reader users land on it (on load, and after an htmx swap put one
// on the page). Each summary is focused once; GOV.UK's
// data-disable-auto-focus="true" opts a summary out.
function focusErrorSummary () {
  const summary = document.querySelector('.govuk-error-summary:not([data-app-focused])')
  document.querySelectorAll('.govuk-error-summary:not([data-app-focused])').forEach((element) => {
    element.setAttribute('data-app-focused', '')
  })
  if (!summary || summary.dataset.disableAutoFocus === 'true') return
  if (!summary.hasAttribute('tabindex')) summary.setAttribute('tabindex', '-1')
  summary.focus()
}

function afterSwap () {
  startComponents()
  focusErrorSummary()
}

startComponents()
focusErrorSummary()

// htmx 4 names the event htmx:after:swap; htmx 2 names it htmx:afterSwap.
document.addEventListener('htmx:after:swap', afterSwap)
document.addEventListener('htmx:afterSwap', afterSwap)
