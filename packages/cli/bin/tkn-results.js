#!/usr/bin/env node
// The command. This file is committed, unlike dist/, because npm links a bin at install time only
// when its file exists: a fresh clone's `npm ci` links it, then builds dist/ (the root `prepare`).
import "../dist/bin.js";
