#!/usr/bin/env node
/**
 * Runs a command and stops it when this process's stdin closes (the launcher holding it went away,
 * even if it was killed) or when this process gets SIGTERM/SIGINT. Used for Azurite, which has no
 * such watch of its own.  Usage: node watchdog.mjs <command> [args...]
 */
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const stop = () => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
