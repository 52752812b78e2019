import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS, registerCommands, commandHelp } from '../commands/index.ts';
import { renderTerminal } from '../src/cli/render-terminal.ts';

interface ManifestCommand { command: string; description: string; usage_hint?: string }
const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8')) as {
  features: { slash_commands: ManifestCommand[]; bot_user: { display_name: string } };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
};

describe('manifest.yml and commands/', () => {
  it('declare the same slash commands with the same descriptions and hints', () => {
    const fromManifest = manifest.features.slash_commands.map((c) => ({ name: c.command, description: c.description, usageHint: c.usage_hint }));
    const fromCode = COMMANDS.map((c) => ({ name: c.name, description: c.description, usageHint: c.usageHint }));
    expect(fromManifest.sort((a, b) => a.name.localeCompare(b.name))).toEqual(fromCode.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('has one command file per registered command', () => {
    const files = readdirSync(new URL('../commands/', import.meta.url)).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    expect(files.map((f) => `/${f.replace(/\.ts$/, '')}`).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it('declares the bot user, the scopes the bot uses, interactivity and the socket mode switch', () => {
    expect(manifest.features.bot_user.display_name).toBe('chatops');
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write']));
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(typeof manifest.settings.socket_mode_enabled).toBe('boolean');
  });

  it('the registry refuses duplicate names and builds help from the same list', () => {
    const c = COMMANDS[0]!;
    expect(() => registerCommands([c, c])).toThrow(`slash command ${c.name} is registered twice`);
    expect(() => registerCommands([{ ...c, name: 'diag' }])).toThrow('invalid slash command name');
    const help = renderTerminal(commandHelp(), { color: false });
    for (const cmd of COMMANDS) expect(help).toContain(`${cmd.name} ${cmd.usageHint}: ${cmd.description}`);
  });
});
