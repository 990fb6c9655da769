import fp from "fastify-plugin";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

declare module "fastify" {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/**
 * Prometheus metrics (prom-client: the maintained standard, with process and event-loop metrics
 * built in), fed by the engine; routes/metrics.ts serves them.
 */
export default fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: "crondeck_process_" });
    const finished = new Counter({
      name: "crondeck_runs_finished_total",
      help: "Attempts that reached a final status in this process",
      labelNames: ["status", "mode", "trigger"] as const,
      registers: [registry],
    });
    const duration = new Histogram({
      name: "crondeck_run_duration_seconds",
      help: "How long attempts ran",
      labelNames: ["mode"] as const,
      buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 1800, 7200],
      registers: [registry],
    });
    const lateness = new Histogram({
      name: "crondeck_fire_lateness_seconds",
      help: "Start of a scheduled attempt minus its scheduled instant",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    });
    new Gauge({
      name: "crondeck_tasks_armed",
      help: "Enabled tasks armed by this process's scheduler",
      registers: [registry],
      collect() {
        this.set(app.engine.load.armed);
      },
    });
    new Gauge({
      name: "crondeck_runs_live",
      help: "Attempts executing in this process",
      registers: [registry],
      collect() {
        this.set(app.engine.load.live);
      },
    });
    app.engine.onRunEnd((run, task) => {
      finished.inc({ status: run.status, mode: task.mode, trigger: run.trigger });
      if (run.durationMs !== null && run.status !== "SKIPPED")
        duration.observe({ mode: task.mode }, run.durationMs / 1000);
      if (run.trigger === "SCHEDULE" && run.attempt === 1 && run.startedAt) {
        lateness.observe(Math.max(0, run.startedAt.getTime() - run.scheduledAt.getTime()) / 1000);
      }
    });
    app.decorate("metrics", registry);
  },
  { name: "metrics", dependencies: ["engine", "auth"] },
);
