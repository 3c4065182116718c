"use strict";
// The page after adding a webhook: a Copy button beside its secret, shown only where the browser
// lets a page write the clipboard (the secret is selectable text everywhere).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("webhook-secret-copy");
  if (!button || !navigator.clipboard) return;
  const secret = document.getElementById(button.dataset.copies);
  button.hidden = false;
  button.addEventListener("click", async () => {
    window.getSelection().selectAllChildren(secret);
    try {
      await navigator.clipboard.writeText(secret.textContent);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Selected: copy it";
    }
  });
});
