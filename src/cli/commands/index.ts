import type { Command } from '../types';
import { classifyCommand } from './classify';
import { deadLettersCommand } from './dead-letters';
import { demoCommand } from './demo';
import { functionsCommand } from './functions';
import { generateCommand } from './generate';
import { handleCommand } from './handle';
import { invokeCommand } from './invoke';
import { profileCommand } from './profile';
import { replayCommand } from './replay';
import { reportCommand } from './report';
import { serveCommand } from './serve';
import { setupCommand } from './setup';

/** Every `touchpoint` subcommand, in the order `touchpoint help` lists them. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  replayCommand,
  handleCommand,
  profileCommand,
  reportCommand,
  classifyCommand,
  generateCommand,
  deadLettersCommand,
  setupCommand,
  invokeCommand,
  functionsCommand,
  serveCommand,
];
