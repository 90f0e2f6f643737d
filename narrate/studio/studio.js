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
  var book = null, chapter = null, selected = null;
  // the buttons that start work on the server: one piece of work at a time
  var WORK = ['hear', 'keep', 'undo', 'hear-word', 'keep-word', 'run-check', 'hear-voice',
              'keep-voice'];
  var running = 0;

  function $(id) { return document.getElementById(id); }

  // what a piece of work says, beside the control that started it; each answer bumps the
  // line's data-events (a test waits on it)
  function say(where, line, how) {
    var box = $(where);
    box.textContent = line;
    box.className = 'status' + (how ? ' ' + how : '');
    box.dataset.events = String(Number(box.dataset.events || 0) + 1);
  }

  // a piece of work: its buttons (every work button) disabled while it runs, its line
  // beside the control with the seconds it has taken so far, and what the last of its
  // kind took (a Keep: 15 s on a busy machine, a pronunciation more)
  var took = {};
  function work(where, line, request, then) {
    var started = Date.now(), kind = line.split(' ')[0], before = took[kind];
    running += 1;
    enable();
    say(where, line + ' …', 'busy');
    var clock = setInterval(function () {
      $(where).textContent = line + ' … ' + Math.round((Date.now() - started) / 1000) + ' s' +
        (before ? ' (the last took ' + before + ' s)' : '');
    }, 1000);
    function end() { clearInterval(clock); running -= 1; enable(); }
    return request.then(function (answer) {
      end();
      took[kind] = Math.max(1, Math.round((Date.now() - started) / 1000));
      say(where, then(answer), 'done');
    }).catch(function (error) { end(); say(where, error.message, 'error'); });
  }

  function enable() {
    WORK.forEach(function (id) { $(id).disabled = running > 0; });
    $('undo').disabled = running > 0 || !(book && book.undo);
    $('keep-word').disabled = running > 0 || !$('respelling').value.trim();
    $('hear-word').disabled = $('keep-word').disabled;
    $('keep-voice').disabled = $('hear-voice').disabled = running > 0 || !recast;
    document.querySelectorAll('#findings button').forEach(function (b) { b.disabled = running > 0; });
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

  function silence(audio) {  // no take: its player empty (a src taken away keeps playing)
    audio.pause();
    audio.removeAttribute('src');
    audio.load();
  }

  // one player at a time: one that starts pauses every other
  document.addEventListener('play', function (event) {
    document.querySelectorAll('audio').forEach(function (audio) {
      if (audio !== event.target && !audio.paused) { audio.pause(); }
    });
  }, true);

  function fill(list, values) {
    list.textContent = '';
    values.forEach(function (value) {
      var option = document.createElement('option');
      option.value = value;
      option.textContent = value;
      list.appendChild(option);
    });
  }

  function showBook(data, chapterId, startAt) {
    book = data;
    $('title').textContent = book.title;
    $('author').textContent = book.author || '';
    fill($('edit-role'), book.roles);
    fill($('speakers'), book.speakers);
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
    enable();
    showCast();
    showChapter(chapterId || (book.chapters[0] && book.chapters[0].id), startAt);
  }

  function showChapter(id, startAt) {
    chapter = book.chapters.filter(function (c) { return c.id === id; })[0] || book.chapters[0];
    if (!chapter) { return; }
    document.querySelectorAll('nav button').forEach(function (b) {
      b.classList.toggle('current', b.dataset.chapter === chapter.id);
    });
    $('chapter-title').textContent = chapter.title;
    var text = document.createDocumentFragment(), paragraph = null, section = null, who = null;
    chapter.segments.forEach(function (segment) {
      var mine = segment.id.split('.').slice(0, 2).join('.');  // a paragraph per section
      if (!paragraph || mine !== section) {
        paragraph = document.createElement('p');
        text.appendChild(paragraph);
        section = mine;
        who = null;
      }
      var span = document.createElement('span');
      span.className = 'seg ' + segment.role + (/\.000$/.test(segment.id) ? ' title' : '');
      span.id = 'seg-' + segment.id;
      span.dataset.id = segment.id;
      if (segment.speaker) {  // who says it, named where a paragraph's speaker changes
        span.dataset.speaker = segment.speaker;
        span.classList.toggle('again', segment.speaker === who);
        who = segment.speaker;
      }
      span.textContent = segment.text;
      paragraph.appendChild(span);
      paragraph.appendChild(document.createTextNode(' '));
    });
    textBox.textContent = '';
    textBox.appendChild(text);  // at once: a long chapter is laid out once
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

  // one listener for the whole text: a chapter of thirty minutes has thousands of lines
  textBox.addEventListener('click', function (event) {
    var span = event.target.closest('.seg');
    if (span && String(window.getSelection()).trim() === '') { select(span.dataset.id, true); }
  });

  function segmentOf(id) {
    return chapter && chapter.segments.filter(function (s) { return s.id === id; })[0];
  }

  function playFrom(id, paused) {
    var segment = segmentOf(id);
    if (!segment || segment.start === null) { return; }
    player.currentTime = segment.start + 0.001;
    if (!paused) { player.play().catch(function () {}); }
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
      $('speaker-field').hidden = segment.speaker === null;  // a quotation in a novel
      $('edit-speaker').value = segment.speaker || '';
      say('editor-status', '');
      silence($('new-take'));
      silence($('old-take'));
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
    var asked = {id: selected, text: $('edit-text').value, say: $('edit-say').value,
                 role: $('edit-role').value, version: book.version};
    if (!$('speaker-field').hidden) { asked.speaker = $('edit-speaker').value.trim(); }
    return asked;
  }

  $('hear').addEventListener('click', function () {
    if (!selected) { return; }
    var id = selected;
    work('editor-status', 'rendering ' + id, api('/api/hear', edit()), function (take) {
      var audio = $('new-take');
      audio.src = fileUrl(take.file);
      audio.play().catch(function () {});
      return 'heard ' + id + ': ' + take.seconds.toFixed(1) + ' s';
    });
  });

  function rebuilt(action, line) {
    return function (answer) {
      showBook(answer.book, chapter && chapter.id, selected);
      document.body.dataset[action] = String(Number(document.body.dataset[action] || 0) + 1);
      return line + ' (' + (answer.exported.length ? 'chapter ' + answer.exported.join(', ') +
          ' rebuilt' : 'nothing to rebuild') + ')' + (answer.notes.length ? ': ' +
          answer.notes.join(' ') : '');
    };
  }

  $('keep').addEventListener('click', function () {
    if (!selected) { return; }
    work('editor-status', 'keeping ' + selected, api('/api/keep', edit()),
         rebuilt('kept', 'kept ' + selected));
  });

  $('undo').addEventListener('click', function () {
    work('undo-status', 'undoing', api('/api/undo', {version: book.version}),
         rebuilt('undone', 'undone'));
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
    say('word-status', '');
    enable();
    showPlaces();
    var tools = $('tools');  // the panel in view in the tools' column; the page stays put
    tools.scrollTop = $('pronounce').offsetTop - tools.offsetTop;
  });
  $('respelling').addEventListener('input', enable);

  function heardAs(item, takes) {  // a place's takes before and after, each labelled
    var box = document.createElement('div');
    box.className = 'heard';
    [['before', takes.old], ['after', takes.new]].forEach(function (pair) {
      if (!pair[1]) { return; }
      var label = document.createElement('span');
      label.textContent = pair[0];
      var audio = document.createElement('audio');
      audio.controls = true;
      audio.preload = 'metadata';
      audio.className = pair[0];
      audio.src = fileUrl(pair[1].file);
      box.appendChild(label);
      box.appendChild(audio);
    });
    item.appendChild(box);
  }

  function showPlaces(heard) {
    return api('/api/places', {word: word, respelling: $('respelling').value}).then(function (found) {
      $('places-count').textContent = 'said in ' + found.length + ' places';
      var list = $('places');
      list.textContent = '';
      found.forEach(function (place) {
        var item = document.createElement('li');
        item.dataset.id = place.id;
        item.textContent = place.id + ': ' + place.say;
        var takes = (heard || []).filter(function (h) { return h.id === place.id; })[0];
        if (takes) { heardAs(item, takes); }
        list.appendChild(item);
      });
      return found;
    }).catch(function (error) { say('word-status', error.message, 'error'); });
  }

  $('hear-word').addEventListener('click', function () {
    var asked = {word: word, respelling: $('respelling').value};
    work('word-status', 'rendering “' + word + '” as “' + asked.respelling + '”',
         api('/api/hear-word', asked).then(showPlaces), function (found) {
      var first = document.querySelector('#places audio.after');
      if (first) { first.play().catch(function () {}); }
      return 'heard the first of ' + (found || []).length + ' places';
    });
  });

  $('keep-word').addEventListener('click', function () {
    var asked = {word: word, respelling: $('respelling').value, version: book.version};
    work('word-status', 'keeping “' + word + '” everywhere', api('/api/pronounce', asked),
         rebuilt('pronounced', 'kept “' + word + '” as “' + asked.respelling + '”'));
  });

  // the cast: each character's voice; another one heard on a few of their lines, kept
  var recast = null;
  function showCast() {
    return api('/api/cast').then(function (cast) {
      $('cast').hidden = !cast.characters.length;
      fill($('cast-voice'), cast.voices);
      var list = $('cast-list');
      list.textContent = '';
      cast.characters.forEach(function (c) {
        var item = document.createElement('li'), button = document.createElement('button');
        button.type = 'button';
        button.dataset.name = c.name;
        button.setAttribute('aria-pressed', String(recast === c.name));
        [[c.name, 'name'], [c.lines + (c.lines === 1 ? ' line' : ' lines'), 'lines'],
         [voiceOf(c) + (c.written ? '' : ' (chosen)'), 'voice']].forEach(function (part) {
          var span = document.createElement('span');
          span.className = part[1];
          span.textContent = part[0];
          button.appendChild(span);
        });
        button.addEventListener('click', function () { pick(c); });
        item.appendChild(button);
        list.appendChild(item);
      });
      document.body.dataset.cast = String(Number(document.body.dataset.cast || 0) + 1);
    }).catch(function (error) { say('cast-status', error.message, 'error'); });
  }

  function voiceOf(c) {  // as a script's voice: is written
    return [c.voice, c.semitones === null ? '' : (c.semitones > 0 ? '+' : '') + c.semitones,
            c.pace === 100 ? '' : c.pace + '%'].filter(Boolean).join(' ');
  }

  function pick(c) {
    recast = c.name;
    $('recast').hidden = false;
    $('cast-name').textContent = c.name;
    $('cast-voice').value = c.voice;
    $('cast-semitones').value = c.semitones === null ? '' : String(c.semitones);
    $('cast-pace').value = c.pace === 100 ? '' : String(c.pace);
    $('cast-heard').textContent = '';
    say('cast-status', '');
    document.querySelectorAll('#cast-list button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.name === c.name));
    });
    enable();
  }

  function isolated(name) {  // a name in a line of ours: its direction kept to itself
    return '\u2068' + name + '\u2069';
  }

  function voiceAsked() {
    return {name: recast, voice: $('cast-voice').value, semitones: $('cast-semitones').value,
            pace: $('cast-pace').value, version: book.version};
  }

  $('hear-voice').addEventListener('click', function () {
    var asked = voiceAsked();
    work('cast-status', 'rendering ' + isolated(asked.name) + '’s lines',
         api('/api/hear-voice', asked),
         function (heard) {
      var list = $('cast-heard');
      list.textContent = '';
      heard.forEach(function (take) {
        var item = document.createElement('li'), audio = document.createElement('audio');
        item.dataset.id = take.id;
        item.textContent = take.text;
        audio.controls = true;
        audio.preload = 'metadata';
        audio.src = fileUrl(take.file);
        item.appendChild(audio);
        list.appendChild(item);
      });
      var first = list.querySelector('audio');
      if (first) { first.play().catch(function () {}); }
      return 'heard ' + heard.length + ' of ' + isolated(asked.name) + '’s lines (not kept)';
    });
  });

  $('keep-voice').addEventListener('click', function () {
    var asked = voiceAsked();
    work('cast-status', 'keeping ' + isolated(asked.name) + '’s voice',
         api('/api/keep-voice', asked),
         rebuilt('recast', 'kept ' + isolated(asked.name) + '’s voice'));
  });

  // what narrate check found, each with what can be done about it
  $('run-check').addEventListener('click', function () {
    work('check-status', 'checking', api('/api/check', {asr: $('check-asr').checked}),
         function (found) {
      var list = $('findings');
      list.textContent = '';
      found.forEach(function (finding) { list.appendChild(findingItem(finding)); });
      document.body.dataset.checked = String(Number(document.body.dataset.checked || 0) + 1);
      return 'check: ' + found.length + ' findings';
    });
  });

  function findingItem(finding) {
    var item = document.createElement('li');
    item.className = finding.level;
    item.textContent = finding.level.toUpperCase() + ' ' + finding.where + ': ' + finding.what + ' ';
    if (!finding.id) { return item; }
    [['Hear', function () { openSegment(finding.id, true); }],
     ['Edit', function () { openSegment(finding.id, false); }],
     ['Retake', function () {
       work('check-status', 'taking ' + finding.id + ' again',
            api('/api/retake', {id: finding.id, version: book.version}),
            rebuilt('retaken', 'took ' + finding.id + ' again'));
     }]].forEach(function (pair) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = pair[0];
      button.addEventListener('click', pair[1]);
      item.appendChild(button);
    });
    return item;
  }

  function openSegment(id, play) {
    var holder = book.chapters.filter(function (c) {
      return c.segments.some(function (s) { return s.id === id; });
    })[0];
    if (holder && holder !== chapter) { showChapter(holder.id); }
    select(id, play);
  }

  // keys: space plays or pauses, the arrows go from sentence to sentence, Enter hears,
  // Ctrl+S (⌘S) keeps (in the pronunciation's or the Cast panel, that); while typing,
  // only Ctrl+Enter and Ctrl+S
  document.addEventListener('keydown', function (event) {
    var typing = /^(TEXTAREA|INPUT|SELECT)$/.test(event.target.tagName);
    var command = event.ctrlKey || event.metaKey;
    // in a panel with its own work (a word's pronunciation, a character's voice) the keys
    // do that work, never a Keep of the sentence left in the editor ('': nobody picked)
    var panel = $('pronounce').contains(event.target) && word ? 'word' :
      $('cast').contains(event.target) ? (recast ? 'voice' : '') : null;
    if (command && panel !== null) {
      var asked = {s: 'keep-', S: 'keep-', Enter: 'hear-'}[event.key];
      if (asked) { event.preventDefault(); if (panel) { $(asked + panel).click(); } }
      return;
    }
    var act = command ? {s: 'keep', S: 'keep', Enter: 'hear'}[event.key] :
      (typing || event.altKey || /^(BUTTON|AUDIO|A)$/.test(event.target.tagName)) ? null :
      {' ': 'play', Enter: 'hear', ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1}[event.key];
    if (!act || !chapter) { return; }
    event.preventDefault();
    if (act === 'play') {
      if (player.paused) { player.play().catch(function () {}); } else { player.pause(); }
    } else if (typeof act === 'number') {
      step(act);
    } else if (selected) {
      $(act).click();  // a disabled button does nothing: work in hand goes on
    }
  });

  function step(by) {  // the sentence before or after the one selected (or being read)
    var ids = chapter.segments.map(function (s) { return s.id; });
    var active = document.querySelector('.seg.active');
    var at = ids.indexOf(selected || (active && active.dataset.id));
    var id = ids[at < 0 ? 0 : Math.max(0, Math.min(ids.length - 1, at + by))];
    select(id);
    playFrom(id, player.paused);  // where the chapter plays from, playing if it was
    var span = document.getElementById('seg-' + id);
    if (span) { span.scrollIntoView({block: 'nearest'}); }
  }

  api('/api/book').then(function (data) { showBook(data); say('status', 'ready'); })
    .catch(function (error) { say('status', error.message, 'error'); });
})();
