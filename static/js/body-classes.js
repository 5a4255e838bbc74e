// Runs first in <body>: tells the NHS.UK design system that JavaScript is on,
// as its page template does inline (our CSP allows no inline script).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
