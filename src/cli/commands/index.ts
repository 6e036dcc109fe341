import type { Command } from '../types';
import { classifyCommand } from './classify';
import { deadLettersCommand } from './dead-letters';
import { demoCommand } from './demo';
import { generateCommand } from './generate';
import { profileCommand } from './profile';
import { replayCommand } from './replay';

/** Every `touchpoint` subcommand, in the order `touchpoint help` lists them. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  replayCommand,
  profileCommand,
  classifyCommand,
  generateCommand,
  deadLettersCommand,
];
