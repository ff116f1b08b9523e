<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$xml = file_get_contents('php://input');
libxml_disable_entity_loader(false);
$doc = new DOMDocument();
$doc->loadXML($xml);
