import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// No Docker engine here: these read the image and compose files for the properties the project
// promises (the build steps themselves are exercised by hand, see the commit that added them).

const root = join(import.meta.dirname, "../../..");
const read = (file: string) => readFileSync(join(root, file), "utf8");

/** Variable names in the README's Configuration table. */
function documentedSettings(): string[] {
  const section = read("README.md").split("## Configuration")[1]?.split("\n## ")[0] ?? "";
  return [...section.matchAll(/^\| ((?:`[A-Z_]+` ?)+) \|/gm)].flatMap((m) =>
    [...(m[1] as string).matchAll(/`([A-Z_]+)`/g)].map((n) => n[1] as string),
  );
}

/** The `environment:` keys of one compose service. */
function composeEnvironment(service: string): string[] {
  const block =
    read("docker-compose.yml")
      .split(new RegExp(`^  ${service}:( &\\S+)?$`, "m"))[2]
      ?.split(/^ {2}\S/m)[0] ?? "";
  const env = block.split(/^ {4}environment:( &\S+)?$/m)[2]?.split(/^ {4}\S/m)[0] ?? "";
  return [...env.matchAll(/^ {6}([A-Z_]+):/gm)].map((m) => m[1] as string);
}

describe("the Docker image and compose file", () => {
  it("compose passes every documented setting, secrets only as *_FILE", () => {
    const documented = documentedSettings();
    expect(documented.length).toBeGreaterThan(25);
    const passed = composeEnvironment("api-1");
    // The executors' own settings are the executor services' (checked below).
    const missing = documented.filter(
      (name) => !name.startsWith("EXECUTOR_") && !passed.includes(name) && !passed.includes(`${name}_FILE`),
    );
    expect(missing).toEqual([]);
    for (const secret of ["ADMIN_PASSWORD", "DATABASE_URL", "SMTP_URL", "SMTP_PASSWORD", "NATS_URL", "SECRETS_KEY"]) {
      expect(passed, secret).not.toContain(secret);
      expect(passed, secret).toContain(`${secret}_FILE`);
    }
    expect(composeEnvironment("mysql")).not.toContain("MYSQL_PASSWORD");
  });

  it("compose scales out: NATS with a volume, two API instances with names of their own, an HTTP pool of two and a SHELL executor", () => {
    const compose = read("docker-compose.yml");
    for (const service of ["nats", "api-1", "api-2", "executor-web-1", "executor-web-2", "executor-shell01"])
      expect(compose, service).toMatch(new RegExp(`^  ${service}:`, "m"));
    expect(compose).toMatch(/-js", "-sd", "\/data"/);
    expect(compose).toMatch(/- nats-data:\/data/);
    expect(compose).toMatch(/INSTANCE_NAME: api-1/);
    expect(compose).toMatch(/INSTANCE_NAME: api-2/);
    const executor = composeEnvironment("executor-web-1");
    expect(executor).toEqual(expect.arrayContaining(["NATS_URL_FILE", "EXECUTOR_NAME", "EXECUTOR_GROUPS"]));
    // An executor gets no database and no admin secret.
    expect(executor.filter((name) => /DATABASE|ADMIN|SMTP/.test(name))).toEqual([]);
    expect(compose).toMatch(/EXECUTOR_NAME: shell01\n\s+EXECUTOR_GROUPS: shell01/);
  });

  it("compose gives the engine's 30 s graceful stop room", () => {
    const grace = /stop_grace_period: (\d+)s/.exec(read("docker-compose.yml"))?.[1];
    expect(Number(grace)).toBeGreaterThan(30);
  });

  it("builds in stages with dependencies before the source, and runs as a non-root user with a health check", () => {
    const dockerfile = read("Dockerfile");
    const lines = dockerfile.split("\n");
    expect(lines.filter((l) => l.startsWith("FROM ")).length).toBeGreaterThanOrEqual(3);
    const install = lines.findIndex((l) => l.includes("pnpm install --frozen-lockfile"));
    const source = lines.findIndex((l) => l.startsWith("COPY . ."));
    expect(install).toBeGreaterThan(0);
    expect(install).toBeLessThan(source);
    expect(dockerfile).toMatch(/pnpm prune --prod/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(runtime.indexOf("USER ")).toBeLessThan(runtime.indexOf("CMD "));
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*\/readyz/);
    expect(runtime).toMatch(/VOLUME \["\/app\/data"\]/);
    expect(runtime).toMatch(/HOST=0\.0\.0\.0/);
  });

  it("runs the compiled server with plain node: no tsx or TypeScript source in the image", () => {
    const dockerfile = read("Dockerfile");
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(runtime).toMatch(
      /^CMD \["node", "--conditions=crondeck-dist", "--max-semi-space-size=16", "dist\/server\.js"\]$/m,
    );
    expect(runtime).not.toMatch(/tsx/);
    expect(dockerfile).toMatch(
      /--filter "@crondeck\/server\.\.\." --filter "@crondeck\/executor-process\.\.\." --filter @crondeck\/web build/,
    );
    // The executors of the compose file run the compiled executor too.
    expect(read("docker-compose.yml")).toMatch(/command: \["node", "--conditions=crondeck-dist", "dist\/main\.js"\]/);
    expect(dockerfile).toMatch(/rm -rf [^\n]*apps\/server\/src [^\n]*packages\/\*\/src/);
    // pnpm install --frozen-lockfile needs every workspace package's manifest before the source.
    const workspaces = [
      "bench",
      ...readdirSync(join(root, "apps")).map((p) => `apps/${p}`),
      ...readdirSync(join(root, "packages")).map((p) => `packages/${p}`),
    ];
    for (const dir of workspaces) {
      if (existsSync(join(root, dir, "package.json")))
        expect(dockerfile, dir).toContain(`COPY ${dir}/package.json ${dir}/`);
    }
    const server = JSON.parse(read("apps/server/package.json")) as { dependencies: Record<string, string> };
    expect(Object.keys(server.dependencies)).not.toContain("tsx");
  });

  it("keeps .env, secrets and local data out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const entry of [".env", ".env.*", "secrets", "data", "**/*.db", "node_modules"])
      expect(ignored).toContain(entry);
  });
});
