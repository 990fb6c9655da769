#!/usr/bin/env -S node --conditions=crondeck-dist
import { processIo, run } from "./cli.ts";

process.exitCode = await run(process.argv.slice(2), processIo());
