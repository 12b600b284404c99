import "./lib/zod-jitless";
import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { type CSSVariablesResolver, createTheme, MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import { i18nReady } from "./i18n";

const theme = createTheme({
  primaryColor: "indigo",
  // White on indigo 6 is 4.3:1; shade 7 reaches WCAG AA's 4.5:1 for buttons' labels.
  primaryShade: { light: 7, dark: 8 },
  defaultRadius: "md",
  fontFamily: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
});

/** Secondary ("dimmed") and placeholder text dark enough to read on white and light grey (WCAG AA 4.5:1; Mantine's is 3.3:1). */
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    // Placeholders are text too (Mantine's grey 5 is 2.1:1 on white).
    "--mantine-color-placeholder": "var(--mantine-color-gray-7)",
  },
  dark: {},
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: 1, refetchOnWindowFocus: false },
  },
});

// The first language's texts load before the first render (English is built in; Russian and Ukrainian are not).
void i18nReady.then(() =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={cssVariablesResolver}>
        <Notifications position="top-right" />
        <QueryClientProvider client={queryClient}>
          {/* A change of address is rendered in the keystroke's or click's own task, not as a transition in
              slices of scheduled tasks: opening another conversation ends sooner (docs/features/web-app.md). */}
          <BrowserRouter useTransitions={false}>
            <App />
          </BrowserRouter>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  ),
);
