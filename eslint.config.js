// ESLint for the review component (mtreview/ui/*.js, browser ES modules) and its unit
// tests (tests/js, run by `node --test`). Run by scripts/test.sh: `npx eslint mtreview/ui`.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "site/", "build/"] },
  js.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      // `for (const _ of text)` counts code points; an unused `_` is the point.
      // `const { tries, ...draft } = d` drops a field: `tries` is unused on purpose.
      "no-unused-vars": [
        "error",
        { varsIgnorePattern: "^_", argsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
];
