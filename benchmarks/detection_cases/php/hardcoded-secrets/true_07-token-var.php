<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$github_token = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
