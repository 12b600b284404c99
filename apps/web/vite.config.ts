import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The agent web app. `npm run dev` serves it at http://localhost:5173 and proxies /api (and the sockets) to
 * the server it runs alongside, on PORT (3000).
 */
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: `http://localhost:${process.env.PORT ?? 3000}`, ws: true, changeOrigin: false },
    },
  },
});
