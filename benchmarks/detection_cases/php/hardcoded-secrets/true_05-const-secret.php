<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

class Settings {
    const CLIENT_SECRET = '9f8e7d6c5b4a3928170665';
}
