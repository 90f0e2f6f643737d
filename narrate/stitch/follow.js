// The segment being read, highlighted and kept in view as `audio` plays: shared by the
// read-along page (inlined into index.html) and the studio. `timedOf()` gives the timed
// segments now shown ([{id, start, end}] in seconds), `spanOf(id)` the element of one.
function followPlayer(audio, timedOf, spanOf) {
  var shown = null;
  function show() {
    var timed = timedOf() || [], t = audio.currentTime, hit = null;
    for (var i = 0; i < timed.length; i++) {
      if (timed[i].start !== null && timed[i].start <= t && t < timed[i].end) {
        hit = timed[i];
        break;
      }
    }
    var span = hit ? spanOf(hit.id) : null;
    if (span === shown) { return; }
    if (shown) { shown.classList.remove('active'); }
    shown = span;
    if (span) {
      span.classList.add('active');
      span.scrollIntoView({block: 'nearest'});
    }
  }
  ['timeupdate', 'seeked', 'play', 'pause'].forEach(function (name) {
    audio.addEventListener(name, show);
  });
  return show;
}
