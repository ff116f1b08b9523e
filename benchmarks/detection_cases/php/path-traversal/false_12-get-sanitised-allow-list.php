<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$page = $_GET['q'];
if (in_array($page, ['home', 'about'], true)) {
    include('pages/' . $page . '.php');
}
