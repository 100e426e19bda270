#!/usr/bin/env node
// The retention command. Committed (unlike dist/) so that npm links the bin at install time; a
// fresh clone's `npm ci` links it, then builds dist/ (the root `prepare`).
import "../dist/retention-bin.js";
