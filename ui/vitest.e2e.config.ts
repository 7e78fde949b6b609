import { defineConfig } from "vitest/config";

// End-to-end tests: the real app binary, driven through tauri-driver and WebKitWebDriver.
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    environment: "node",
    fileParallelism: false,
    // Each test file in its own process, ended when it is done: WebDriver keeps sockets open.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["verbose"],
  },
});
