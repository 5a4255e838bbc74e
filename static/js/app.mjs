import { initAll } from '../vendor/nhsuk/nhsuk-frontend.min.js';
import { initSessionTimeout } from './session-timeout.mjs';

initAll();
initSessionTimeout();
