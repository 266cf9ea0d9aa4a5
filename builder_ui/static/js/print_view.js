/* The print view: 打印 opens the browser's print dialog (the pages' @page CSS sets A4 and margins).
   DOM contract: #print-now. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-now");
  if (button) button.addEventListener("click", () => window.print());
});
