// narrate studio: hear a sentence, fix it, keep it. The book's text is untrusted: it is
// only ever set as textContent, never parsed as markup.
(function () {
  'use strict';
  var token = document.querySelector('meta[name=token]').content;
  if (/[?&]code=/.test(location.search)) {  // a one-time address: a reload needs the token
    history.replaceState(null, '', '/?token=' + encodeURIComponent(token));
  }
  var player = document.getElementById('player');
  var textBox = document.getElementById('text');
  var status = document.getElementById('status');
  var book = null, chapter = null, selected = null;

  function $(id) { return document.getElementById(id); }

  function say(line, isError) {  // each answer bumps data-events: a test waits on it
    status.textContent = line;
    status.classList.toggle('error', !!isError);
    status.dataset.events = String(Number(status.dataset.events) + 1);
  }

  function api(path, body) {
    return fetch(path, {
      method: body ? 'POST' : 'GET',
      headers: {'X-Narrate-Token': token, 'Content-Type': 'application/json'},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error((data && data.error) || response.statusText); }
        return data;
      });
    });
  }

  function fileUrl(path, version) {
    return '/book/' + path.split('/').map(encodeURIComponent).join('/') +
      '?token=' + encodeURIComponent(token) + (version ? '&v=' + encodeURIComponent(version) : '');
  }

  function showBook(data, chapterId, startAt) {
    book = data;
    $('title').textContent = book.title;
    $('author').textContent = book.author || '';
    $('undo').disabled = !book.undo;
    var roles = $('edit-role');
    roles.textContent = '';
    book.roles.forEach(function (role) {
      var option = document.createElement('option');
      option.value = role;
      option.textContent = role;
      roles.appendChild(option);
    });
    var nav = $('chapters');
    nav.textContent = '';
    book.chapters.forEach(function (c) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = c.title;
      button.dataset.chapter = c.id;
      button.addEventListener('click', function () { showChapter(c.id); });
      nav.appendChild(button);
    });
    showChapter(chapterId || (book.chapters[0] && book.chapters[0].id), startAt);
  }

  function showChapter(id, startAt) {
    chapter = book.chapters.filter(function (c) { return c.id === id; })[0] || book.chapters[0];
    if (!chapter) { return; }
    document.querySelectorAll('nav button').forEach(function (b) {
      b.classList.toggle('current', b.dataset.chapter === chapter.id);
    });
    $('chapter-title').textContent = chapter.title;
    textBox.textContent = '';
    var paragraph = null, section = null;
    chapter.segments.forEach(function (segment) {
      var mine = segment.id.split('.').slice(0, 2).join('.');  // a paragraph per section
      if (!paragraph || mine !== section) {
        paragraph = document.createElement('p');
        textBox.appendChild(paragraph);
        section = mine;
      }
      var span = document.createElement('span');
      span.className = 'seg ' + segment.role + (/\.000$/.test(segment.id) ? ' title' : '');
      span.id = 'seg-' + segment.id;
      span.dataset.id = segment.id;
      span.textContent = segment.text;
      span.addEventListener('click', function () { select(segment.id, true); });
      paragraph.appendChild(span);
      paragraph.appendChild(document.createTextNode(' '));
    });
    player.src = fileUrl(chapter.audio, chapter.version);
    if (startAt) {
      player.addEventListener('loadedmetadata', function seek() {
        player.removeEventListener('loadedmetadata', seek);
        playFrom(startAt);
      });
    }
    if (selected) {  // the editor shows the segment as the book has it now
      var again = selected;
      selected = null;
      select(again, false);
    }
  }

  function segmentOf(id) {
    return chapter && chapter.segments.filter(function (s) { return s.id === id; })[0];
  }

  function playFrom(id) {
    var segment = segmentOf(id);
    if (!segment || segment.start === null) { return; }
    player.currentTime = segment.start + 0.001;
    player.play().catch(function () {});
  }

  function select(id, play) {
    var segment = segmentOf(id);
    if (!segment) { return; }
    document.querySelectorAll('.seg.selected').forEach(function (s) { s.classList.remove('selected'); });
    var span = document.getElementById('seg-' + id);
    if (span) { span.classList.add('selected'); }
    if (selected !== id) {
      selected = id;
      $('editor').hidden = false;
      $('segment-id').textContent = id;
      $('edit-text').value = segment.text;
      $('edit-say').value = segment.say;
      $('edit-role').value = segment.role;
      $('new-take').removeAttribute('src');
      api('/api/take?id=' + encodeURIComponent(id)).then(function (take) {
        if (take && selected === id) { $('old-take').src = fileUrl(take.file); }
      }).catch(function () {});
    }
    if (play) { playFrom(id); }
  }

  // the segment being read is highlighted (follow.js, the read-along page's too)
  followPlayer(player, function () { return chapter && chapter.segments; },
               function (id) { return document.getElementById('seg-' + id); });

  function edit() {
    return {id: selected, text: $('edit-text').value, say: $('edit-say').value,
            role: $('edit-role').value, version: book.version};
  }

  function busy(flag) {
    ['hear', 'keep'].forEach(function (id) { $(id).disabled = flag; });
    $('undo').disabled = flag || !(book && book.undo);
  }

  $('hear').addEventListener('click', function () {
    if (!selected) { return; }
    busy(true);
    say('rendering ' + selected + ' …');
    api('/api/hear', edit()).then(function (take) {
      var audio = $('new-take');
      audio.src = fileUrl(take.file);
      audio.play().catch(function () {});
      busy(false);
      say('heard ' + selected + ': ' + take.seconds.toFixed(1) + ' s');
    }).catch(function (error) { busy(false); say(error.message, true); });
  });

  function rebuilt(action, line) {
    return function (answer) {
      busy(false);
      showBook(answer.book, chapter && chapter.id, selected);
      say(line + ' (' + (answer.exported.length ? 'chapter ' + answer.exported.join(', ') +
          ' rebuilt' : 'nothing to rebuild') + ')' + (answer.notes.length ? ': ' +
          answer.notes.join(' ') : ''));
      document.body.dataset[action] = String(Number(document.body.dataset[action] || 0) + 1);
    };
  }

  $('keep').addEventListener('click', function () {
    if (!selected) { return; }
    busy(true);
    say('keeping ' + selected + ' …');
    api('/api/keep', edit()).then(rebuilt('kept', 'kept ' + selected))
      .catch(function (error) { busy(false); say(error.message, true); });
  });

  $('undo').addEventListener('click', function () {
    busy(true);
    say('undoing …');
    api('/api/undo', {version: book.version}).then(rebuilt('undone', 'undone'))
      .catch(function (error) { busy(false); say(error.message, true); });
  });

  // a word selected in the text: where it is said, heard respelled, kept for the book
  var word = null;
  textBox.addEventListener('mouseup', function () {
    var picked = String(window.getSelection()).trim();
    if (!/^[^\s\d_.,;:!?"“”()]{1,40}$/.test(picked)) { return; }
    word = picked;
    $('pronounce').hidden = false;
    $('word').textContent = word;
    $('respelling').value = '';
    showPlaces();
  });

  function showPlaces(heard) {
    api('/api/places', {word: word, respelling: $('respelling').value}).then(function (found) {
      $('places-count').textContent = 'said in ' + found.length + ' places';
      var list = $('places');
      list.textContent = '';
      found.forEach(function (place) {
        var item = document.createElement('li');
        item.dataset.id = place.id;
        item.textContent = place.id + ': ' + place.say + ' ';
        var takes = (heard || []).filter(function (h) { return h.id === place.id; })[0];
        if (takes) {
          [takes.old, takes.new].forEach(function (take, n) {
            if (!take) { return; }
            var audio = document.createElement('audio');
            audio.controls = true;
            audio.preload = 'metadata';
            audio.className = n ? 'after' : 'before';
            audio.src = fileUrl(take.file);
            item.appendChild(audio);
          });
        }
        list.appendChild(item);
      });
      say('“' + word + '” is said in ' + found.length + ' places');
    }).catch(function (error) { say(error.message, true); });
  }

  $('hear-word').addEventListener('click', function () {
    say('rendering “' + word + '” as “' + $('respelling').value + '” …');
    api('/api/hear-word', {word: word, respelling: $('respelling').value}).then(function (heard) {
      showPlaces(heard);
      var first = document.querySelector('#places audio.after');
      if (first) { first.play().catch(function () {}); }
    }).catch(function (error) { say(error.message, true); });
  });

  $('keep-word').addEventListener('click', function () {
    busy(true);
    say('keeping “' + word + '” …');
    api('/api/pronounce', {word: word, respelling: $('respelling').value, version: book.version})
      .then(rebuilt('pronounced', 'kept “' + word + '” as “' + $('respelling').value + '”'))
      .catch(function (error) { busy(false); say(error.message, true); });
  });

  // what narrate check found, each with what can be done about it
  $('run-check').addEventListener('click', function () {
    say('checking …');
    api('/api/check', {asr: $('check-asr').checked}).then(function (found) {
      var list = $('findings');
      list.textContent = '';
      found.forEach(function (finding) {
        var item = document.createElement('li');
        item.className = finding.level;
        item.textContent = finding.level.toUpperCase() + ' ' + finding.where + ': ' + finding.what + ' ';
        if (finding.id) {
          [['Hear', function () { openSegment(finding.id, true); }],
           ['Edit', function () { openSegment(finding.id, false); }],
           ['Retake', function () {
             busy(true);
             api('/api/retake', {id: finding.id, version: book.version}).then(rebuilt('retaken', 'took ' + finding.id + ' again'))
               .catch(function (error) { busy(false); say(error.message, true); });
           }]].forEach(function (pair) {
            var button = document.createElement('button');
            button.type = 'button';
            button.textContent = pair[0];
            button.addEventListener('click', pair[1]);
            item.appendChild(button);
          });
        }
        list.appendChild(item);
      });
      say('check: ' + found.length + ' findings');
      document.body.dataset.checked = String(Number(document.body.dataset.checked || 0) + 1);
    }).catch(function (error) { say(error.message, true); });
  });

  function openSegment(id, play) {
    var holder = book.chapters.filter(function (c) {
      return c.segments.some(function (s) { return s.id === id; });
    })[0];
    if (holder && holder !== chapter) { showChapter(holder.id); }
    select(id, play);
  }

  api('/api/book').then(function (data) { showBook(data); say('ready'); })
    .catch(function (error) { say(error.message, true); });
})();
