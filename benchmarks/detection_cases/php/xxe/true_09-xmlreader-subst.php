<?php
// secpipe detection benchmark case: deliberately vulnerable or deliberately safe (see expected.csv).

$xml = file_get_contents('php://input');
$reader = new XMLReader();
$reader->XML($xml);
$reader->setParserProperty(XMLReader::SUBST_ENTITIES, true);
