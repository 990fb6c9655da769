import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API runs on its own port in development; in production the server serves dist/ itself.
const apiTarget = process.env.CRONDECK_API ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: { proxy: { "/api": { target: apiTarget, changeOrigin: true } } },
});
