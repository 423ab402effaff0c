/** Entry point: start the app in #app. */
import "./styles.css";
import { App } from "./app";

const host = document.getElementById("app");
if (host) void new App(host).start();
