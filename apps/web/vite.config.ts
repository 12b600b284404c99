import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The agent web app. `npm run dev` proxies /api (and the realtime socket) to a server on port 3000. */
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    port: 5173,
    proxy: { "/api": { target: "http://localhost:3000", ws: true, changeOrigin: false } },
  },
});
