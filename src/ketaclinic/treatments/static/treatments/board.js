/* The chair board: when the number of open alerts grows, flash the page title and beep. */
(function () {
  var last = null;
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = 880;
      osc.connect(gain); gain.connect(audio.destination);
      gain.gain.value = 0.2;
      osc.start(); osc.stop(audio.currentTime + 0.4);
    } catch (e) { /* no audio until the user has touched the page */ }
  }
  function update() {
    var rows = document.getElementById("board-rows");
    if (!rows) return;
    var count = parseInt(rows.getAttribute("data-alert-count") || "0", 10);
    document.title = (count ? "(" + count + " ALERT" + (count > 1 ? "S" : "") + ") " : "") + "Chair board · ketaclinic";
    if (last !== null && count > last) beep();
    last = count;
  }
  document.addEventListener("DOMContentLoaded", update);
  document.body && document.body.addEventListener("htmx:afterSettle", update);
  document.addEventListener("htmx:afterSettle", update);
})();
