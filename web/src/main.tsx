import { render } from 'preact';
import { App } from './app';
import './styles.css';
import './org.css';

render(<App />, document.getElementById('app')!);
